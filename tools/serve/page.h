// tools/serve/page.h: the page at / of `casex serve`: the rules page of
// `casex render` with the simulator of tools/serve/page/ (HTML, CSS, JS,
// embedded at build time by cmake/embed_page.cmake), and the JSON it reads
// (GET /v1/vocabulary, GET /v1/scenarios).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "casex/casex.hpp"

namespace casex::serve {

/// One embedded file of tools/serve/page/.
struct PageFile {
  const char* name;  // e.g. "simulator.js"
  const char* text;
  std::size_t size;
};
extern const PageFile kPageFiles[];
extern const std::size_t kPageFileCount;

/// The rule test cases of `dir` (`casex serve --tests DIR`) run against
/// `rules` (GET /v1/scenarios): {"dir", "errors": [...], "cases": [{"file",
/// "name", "line", "input", "expect", "passed", "differences", "actual"}]};
/// `dir` empty: no case. With a newline.
std::string scenarios_json(const RuleSet& rules, const std::string& dir);

/// The page at /: render_rules_html of `rules` with `findings` beside their
/// rules, the simulator's panel, style and script, and as JSON the
/// vocabulary and the lint report `lint` (`casex lint --format json`, whose
/// witnesses the "Try it" buttons run).
std::string simulator_page(const RuleSet& rules, const std::vector<Diagnostic>& findings,
                           std::size_t files, const std::string& source);

}  // namespace casex::serve
