// tests/install/cxx/consumer.cpp: built against the installed package: an
// Engine on the built-in rules and one on the installed rules evaluate a change;
// the tooling API (casex/tooling.hpp) explains it and lints the installed
// rules; the typed Outcome, the typed Change and the log hook (issue 21).
#include <casex/casex.hpp>
#include <casex/tooling.hpp>

#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <string>

int main() {
  casex::ReloadResult report;
  auto builtin = casex::Engine::open("", &report);
  auto installed = casex::Engine::open(CASEX_INSTALLED_RULES, &report);
  if (!builtin || !installed) {
    std::fputs(casex::format_diagnostics(report.diagnostics, report.sources).c_str(), stderr);
    return 1;
  }
  const char* change =
      R"({"before":{"phase":"InitialSupport","assignment":"SM Tier 2"},)"
      R"("after":{"phase":"InitialSupport","assignment":"SM Tier 2","solution":"Rebooted"},)"
      R"("external_reference":{"system":"SM","id":"IM10023"},"groups":{"SM Tier 2":"SM"}})";
  casex::EngineResult r = installed->eval_json(change);
  std::printf("%s\n%s\n", r.ok ? r.output.c_str() : r.error.c_str(), r.version.c_str());
  bool ok = r.ok && r.output.find(R"("operation":"Update")") != std::string::npos &&
            r.output.find(R"("operation":"Resolve")") != std::string::npos &&
            r.version == builtin->version();  // the installed rules are the built-in ones
  casex::Explanation e = casex::explain_document(installed->rules(), change);
  ok = ok && e.ok && e.json.find(R"("kind":"change")") != std::string::npos;
  // The typed Outcome of the same document, and the log hook seeing it.
  std::atomic<int> logged{0};
  installed->set_log(
      [&](const casex::LogEvent& ev) { logged += ev.kind == casex::LogEvent::Kind::Decision; });
  casex::EngineOutcome o = installed->eval(change);
  ok = ok && o.kind == casex::Outcome::Kind::Change && o.decision.phase == "Review" &&
       o.decision.operations.size() == 2 && o.decision.operations[1].operation == "Resolve";
  casex::Change typed;
  typed.before = {{"phase", "Reveiw"}};
  typed.after = {{"phase", "Review"}};
  try {
    installed->evaluate(typed);
    ok = false;
  } catch (const std::invalid_argument& err) {
    ok = ok && std::string(err.what()).find(R"(did you mean "Review")") != std::string::npos;
  }
  ok = ok && logged == 1;
  casex::LoadResult lint = casex::lint_paths({CASEX_INSTALLED_RULES});
  ok = ok && lint.diagnostics.empty() && lint.sources.size() == 7;
  std::puts(ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}
