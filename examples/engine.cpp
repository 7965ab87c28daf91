// examples/engine.cpp: the README's Engine example: rules from a directory,
// evaluations on four threads while the rules are reloaded, every result
// naming the rule-set version that produced it.
#include <casex/casex.hpp>

#include <iostream>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  casex::ReloadResult opened;
  std::unique_ptr<casex::Engine> engine =
      casex::Engine::open(argc > 1 ? argv[1] : "rules", &opened);
  if (!engine) {
    std::cerr << casex::format_diagnostics(opened.diagnostics, opened.sources);
    return 2;
  }
  const char* doc = R"({"incoming": "Assign", "incident": {"phase": "Review"}})";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        casex::EngineResult r = engine->eval_json(doc);  // on the rules in effect when it starts
        if (!r.ok) std::cerr << r.error << "\n";
      }
    });
  // Meanwhile an admin edits the files: reload compiles them to the side and
  // swaps them in; if they do not load, the previous rules stay in effect.
  casex::ReloadResult r = engine->reload();
  if (!r.ok) std::cerr << casex::format_diagnostics(r.diagnostics, r.sources);
  for (auto& t : threads) t.join();
  std::cout << "rules " << r.version << (r.ok ? " in effect" : " kept: reload refused") << "\n";

  // Or let the engine reload by itself when a file of the directory changes.
  std::string why;
  if (!engine->watch(
          [](const casex::ReloadResult& w) { std::cerr << "reloaded: " << w.ok << "\n"; },
          std::chrono::milliseconds(200), &why))
    std::cerr << why << "\n";
  casex::EngineResult last = engine->eval_json(doc);
  std::cout << last.output << "\n(by rules " << last.version << ")\n";
}
