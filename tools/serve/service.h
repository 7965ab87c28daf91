// tools/serve/service.h: what `casex serve` answers, without any socket: the
// router of the HTTP API over an Engine (atomic reloads), the decision log
// and the metrics. The server (server.h) reads requests and writes answers;
// the fuzz target (tests/fuzz/fuzz_serve_router.cpp) calls handle() directly.
#pragma once

#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "casex/casex.hpp"
#include "tools/decision_log.h"
#include "tools/serve/metrics.h"

namespace casex::serve {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Header = http::request_header<>;  // a request's start line and fields

/// The endpoints; Other is any path that is none of them.
enum class Endpoint {
  Eval,
  EvalLines,
  Explain,
  Rules,
  RulesVersion,
  Lint,
  Reload,
  Health,
  Ready,
  Metrics,
  Page,        // GET /: the rules page with the simulator (page.h)
  Vocabulary,  // GET /v1/vocabulary
  Scenarios,   // GET /v1/scenarios: the cases of --tests
  Other
};

struct ServiceOptions {
  std::string rules_dir;  // "" for the built-in rules
  std::string token;      // the bearer token of POST /v1/reload; "" turns the endpoint off
  std::string log_path;   // the decision log; "" for none
  std::string tests_dir;  // --tests: the rule tests listed on the page; "" for none
  std::size_t max_body = kMaxDocumentBytes;             // a document, a lint request
  std::size_t max_lines_body = std::size_t{256} << 20;  // POST /v1/eval/lines
  InputOptions input;                                   // --lenient-input
};

/// The lines of one POST /v1/eval/lines body, answered as they complete
/// (memory: the unfinished line only, at most kMaxLine bytes) on one rule set.
struct LinesRun {
  std::optional<RuleSet> rules;
  /// With --log: an Engine over `rules` carrying the service's log hook, so
  /// that each line's decision is logged as POST /v1/eval's are.
  std::unique_ptr<Engine> logged;
  std::string request_id;
  std::string carry;  // the unfinished last line
  std::size_t number = 0, errors = 0;
  bool skipping = false;  // inside a line longer than kMaxLine
  std::string error;
};

class Service {
 public:
  /// Loads the rules; null with `error` (the diagnostics, formatted) when
  /// they do not load or the decision log cannot be opened.
  static std::unique_ptr<Service> open(const ServiceOptions& options, std::string& error);
  ~Service();

  static Endpoint endpoint(std::string_view target);
  static const char* label(Endpoint e);
  /// The largest body accepted for an endpoint.
  std::size_t body_limit(Endpoint e) const;

  /// Answers a whole request (every endpoint; POST /v1/eval/lines too).
  Response handle(const Request& request);
  /// An answer {"error": message} with `status`, and the common headers.
  Response error(http::status status, std::string_view message, unsigned version = 11);

  /// POST /v1/eval/lines in pieces: start(), feed() as body bytes arrive
  /// (appends the answered lines to `out`), finish() at the end of the body.
  LinesRun start_lines(const Header& header);
  void feed_lines(LinesRun& run, std::string_view data, std::string& out);
  void finish_lines(LinesRun& run, std::string& out);
  /// The answer to a run: `body` and its headers.
  Response lines_response(const Header& header, const LinesRun& run, std::string body);

  /// Reloads (SIGHUP, --watch, POST /v1/reload) and records the outcome.
  ReloadResult reload();
  /// Starts --watch; false with `error`.
  bool watch(std::string& error);
  void unwatch();
  std::string version() const { return engine_->version(); }
  const std::string& directory() const { return engine_->directory(); }

  /// Draining: /ready answers 503 from now on.
  void set_draining() { draining_ = true; }
  Metrics& metrics() { return metrics_; }
  /// Records one answered request in the metrics.
  void record(Endpoint e, unsigned status, double seconds) {
    metrics_.request(static_cast<std::size_t>(e), status, seconds);
  }
  /// The request's X-Request-Id when it is short and plain, else a new id.
  std::string request_id(const Header& request);
  /// The common headers of every answer (the rules version, the request id, ...).
  void stamp(Response& response, std::string_view version, std::string_view request_id);

 private:
  Service() = default;
  Response eval(const Request& request, const std::string& id);
  Response explain(const Request& request, const std::string& id);
  Response rules_page(const Request& request, const std::string& id);
  Response simulator(const Request& request, const std::string& id);  // page.cpp
  Response lint(const Request& request, const std::string& id);
  Response reload_endpoint(const Request& request, const std::string& id);
  Response json(http::status status, std::string body, const Request& request,
                std::string_view version, std::string_view id);
  void remember_sources(const ReloadResult& r);
  /// The engine's log hook (--log): writes a decision's line with the id of
  /// the request being answered on this thread.
  void log_decision(const LogEvent& event);
  void answer_line(LinesRun& run, std::string_view line, bool too_long, std::string& out);

  ServiceOptions options_;
  std::unique_ptr<Engine> engine_;
  Metrics metrics_{[](std::size_t e) { return label(static_cast<Endpoint>(e)); }};
  std::atomic<bool> draining_{false};
  std::string token_digest_;
  std::atomic<std::uint64_t> next_id_{1};
  std::string id_prefix_;
  std::mutex log_mutex_;
  std::unique_ptr<cli::DecisionLog> log_;
  std::mutex sources_mutex_;
  std::string sources_version_, page_version_, page_;
  std::vector<SourceFile> sources_;
  std::string sim_version_, sim_;  // the page at / (under sources_mutex_)
};

}  // namespace casex::serve
