// tools/serve/page.cpp: the page at / of `casex serve` (page.h): the rules page
// of `casex render` with the simulator of tools/serve/page/ spliced in, and
// the vocabulary and scenario documents its script reads.
#include "tools/serve/page.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "casex/tooling.hpp"
#include "tools/serve/service.h"

namespace casex::serve {

namespace bj = boost::json;

namespace {

std::string_view page_file(std::string_view name) {
  for (std::size_t i = 0; i < kPageFileCount; ++i)
    if (name == kPageFiles[i].name) return {kPageFiles[i].text, kPageFiles[i].size};
  throw std::logic_error("casex serve: no embedded page file " + std::string(name));
}

// JSON inside <script type="application/json">: no '<' at all (a string's
// "</script>" would end the element), as \u003c, which JSON reads back as '<'.
std::string script_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<')
      out += "\\u003c";
    else
      out.push_back(c);
  }
  return out;
}

// Inserts `what` before the first `marker` of `page` (or at its end).
void insert_before(std::string& page, std::string_view marker, std::string_view what) {
  std::size_t at = page.find(marker);
  page.insert(at == std::string::npos ? page.size() : at, what);
}

}  // namespace

std::string scenarios_json(const RuleSet& rules, const std::string& dir) {
  bj::object o;
  o["dir"] = dir.empty() ? bj::value(nullptr) : bj::value(dir);
  bj::array errors, cases;
  if (!dir.empty()) {
    RuleTestReport report = run_rule_tests(rules, {dir});
    for (const auto& e : report.errors) errors.push_back(bj::string(e));
    for (const auto& r : report.cases) {
      bj::object c{{"file", r.file},     {"name", r.name},
                   {"line", r.line},     {"passed", r.passed},
                   {"actual", r.actual}, {"input", nullptr},
                   {"expect", nullptr},  {"differences", bj::array()}};
      for (const auto& d : r.differences) c["differences"].as_array().push_back(bj::string(d));
      bj::error_code ec;
      bj::value input = bj::parse(r.input, ec);
      if (!ec) c["input"] = std::move(input);
      bj::value expect = bj::parse(r.expect, ec);
      if (!ec) c["expect"] = std::move(expect);
      cases.push_back(std::move(c));
    }
  }
  o["errors"] = std::move(errors);
  o["cases"] = std::move(cases);
  return bj::serialize(o) + "\n";
}

std::string simulator_page(const RuleSet& rules, const std::vector<Diagnostic>& findings,
                           std::size_t files, const std::string& source) {
  RenderOptions ro;
  ro.source = source;
  std::string page = render_rules_html(rules, findings, ro);
  insert_before(
      page, "</head>",
      "<style id=\"casex-sim-style\">\n" + std::string(page_file("simulator.css")) + "</style>\n");
  std::size_t body = page.find("<body>");
  if (body != std::string::npos)
    page.insert(body + 6, "\n" + std::string(page_file("simulator.html")));
  std::string data = "<script type=\"application/json\" id=\"casex-vocabulary\">" +
                     script_json(vocabulary_json(rules)) + "</script>\n";
  data += "<script type=\"application/json\" id=\"casex-lint\">" +
          script_json(lint_json(findings, files)) + "</script>\n";
  data += "<script>\n" + std::string(page_file("simulator.js")) + "</script>\n";
  insert_before(page, "</body>", data);
  return page;
}

// GET /: as GET /v1/rules, with the simulator; kept for the version in effect.
Response Service::simulator(const Request& request, const std::string& id) {
  RuleSet rules = engine_->rules();
  std::string page;
  {
    std::lock_guard<std::mutex> lock(sources_mutex_);
    if (sim_version_ == rules.version()) {
      page = sim_;
    } else {
      bool have = sources_version_ == rules.version();
      std::vector<Diagnostic> findings;
      if (have) findings = lint_texts(sources_).diagnostics;
      page = simulator_page(rules, findings, have ? sources_.size() : 0,
                            options_.rules_dir.empty() ? "the built-in rules" : options_.rules_dir);
      if (have) sim_version_ = rules.version(), sim_ = page;
    }
  }
  Response res{http::status::ok, request.version()};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  stamp(res, rules.version(), id);
  res.body() = std::move(page);
  res.prepare_payload();
  return res;
}

}  // namespace casex::serve
