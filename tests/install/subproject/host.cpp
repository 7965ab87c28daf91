// tests/install/subproject/host.cpp: a host that built casex as a subproject:
// the built-in rules evaluate examples/change.json (Update, then Resolve).
#include <casex/casex.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main() {
  std::ifstream in(CASEX_EXAMPLE_CHANGE, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", CASEX_EXAMPLE_CHANGE);
    return 1;
  }
  std::ostringstream change;
  change << in.rdbuf();

  casex::LoadResult loaded = casex::RuleSet::load_builtin();
  if (!loaded.rules) {
    std::cerr << casex::format_diagnostics(loaded.diagnostics, loaded.sources);
    return 1;
  }
  casex::JsonResult r = loaded.rules->eval_json(change.str());
  std::printf("%s\n", r.ok ? r.output.c_str() : r.error.c_str());
  std::size_t update = r.output.find(R"("operation":"Update")");
  std::size_t resolve = r.output.find(R"("operation":"Resolve")");
  bool ok = r.ok && update != std::string::npos && resolve != std::string::npos && update < resolve;
  std::puts(ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}
