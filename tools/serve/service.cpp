// tools/serve/service.cpp: the router of `casex serve`: each endpoint answers
// with the public functions the casex commands print through (eval_json,
// explain_document, lint_texts + lint_json, render_rules_html), so that an
// answer is what the command prints for the same input.
#include "tools/serve/service.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <unistd.h>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <chrono>

#include "casex/tooling.hpp"
#include "casex/version.h"
#include "tools/commands.h"
#include "tools/eval_lines.h"
#include "tools/serve/page.h"

namespace casex::serve {

namespace bj = boost::json;
using boost::beast::iequals;

namespace {

struct Route {
  Endpoint endpoint;
  std::string_view path;
  http::verb method;
  const char* label;
};

// The API: one row per endpoint (docs/serve.md).
constexpr Route kRoutes[] = {
    {Endpoint::Eval, "/v1/eval", http::verb::post, "/v1/eval"},
    {Endpoint::EvalLines, "/v1/eval/lines", http::verb::post, "/v1/eval/lines"},
    {Endpoint::Explain, "/v1/explain", http::verb::post, "/v1/explain"},
    {Endpoint::Rules, "/v1/rules", http::verb::get, "/v1/rules"},
    {Endpoint::RulesVersion, "/v1/rules/version", http::verb::get, "/v1/rules/version"},
    {Endpoint::Lint, "/v1/lint", http::verb::post, "/v1/lint"},
    {Endpoint::Reload, "/v1/reload", http::verb::post, "/v1/reload"},
    {Endpoint::Health, "/health", http::verb::get, "/health"},
    {Endpoint::Ready, "/ready", http::verb::get, "/ready"},
    {Endpoint::Metrics, "/metrics", http::verb::get, "/metrics"},
    {Endpoint::Page, "/", http::verb::get, "/"},
    {Endpoint::Vocabulary, "/v1/vocabulary", http::verb::get, "/v1/vocabulary"},
    {Endpoint::Scenarios, "/v1/scenarios", http::verb::get, "/v1/scenarios"},
};

static_assert(static_cast<std::size_t>(Endpoint::Other) < Metrics::kEndpoints,
              "every endpoint has its counters");

const Route* route_of(Endpoint e) {
  for (const auto& r : kRoutes)
    if (r.endpoint == e) return &r;
  return nullptr;
}

// The path of a request target: without its query string.
std::string_view path_of(std::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.find('#')));
}

bool wants_text(const Request& request) {
  auto accept = request[http::field::accept];
  return std::string_view(accept.data(), accept.size()).find("text/plain") !=
         std::string_view::npos;
}

std::string error_body(std::string_view message) {
  return bj::serialize(bj::object{{"error", message}}) + "\n";
}

// The id of the request whose documents this thread is evaluating: the
// engine's log hook runs on the evaluating thread, inside the evaluation.
thread_local std::string_view t_request_id;

struct RequestIdScope {
  explicit RequestIdScope(std::string_view id) : previous(t_request_id) { t_request_id = id; }
  ~RequestIdScope() { t_request_id = previous; }
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
  std::string_view previous;
};

// The engine's decision-log line with "request_id" after its "time", where
// decision_log_line(..., request_id) places it.
std::string with_request_id(std::string_view line, std::string_view id) {
  std::string out(line);
  if (id.empty() || out.empty() || out.front() != '{') return out;
  constexpr std::string_view kTime = "{\"time\":\"";
  std::size_t at = 1;
  std::string key =
      "\"request_id\":" + bj::serialize(bj::value(bj::string_view(id.data(), id.size())));
  if (out.compare(0, kTime.size(), kTime) == 0) {
    at = out.find('"', kTime.size());
    if (at == std::string::npos) return out;
    out.insert(at + 1, "," + key);
  } else {
    out.insert(at, key + (out.size() > 2 ? "," : ""));
  }
  return out;
}

}  // namespace

Endpoint Service::endpoint(std::string_view target) {
  std::string_view path = path_of(target);
  for (const auto& r : kRoutes)
    if (r.path == path) return r.endpoint;
  return Endpoint::Other;
}

const char* Service::label(Endpoint e) {
  const Route* r = route_of(e);
  return r ? r->label : "other";
}

std::size_t Service::body_limit(Endpoint e) const {
  return e == Endpoint::EvalLines ? options_.max_lines_body : options_.max_body;
}

std::unique_ptr<Service> Service::open(const ServiceOptions& options, std::string& error) {
  std::unique_ptr<Service> s(new Service());
  s->options_ = options;
  ReloadResult report;
  s->engine_ = Engine::open(options.rules_dir, &report);
  if (!s->engine_) {
    error = format_diagnostics(report.diagnostics, report.sources);
    if (error.empty()) error = "the rules do not load\n";
    return nullptr;
  }
  s->remember_sources(report);
  s->engine_->set_input_options(options.input);  // --lenient-input
  if (!options.token.empty()) s->token_digest_ = cli::sha256_hex(options.token);
  if (!options.log_path.empty()) {
    s->log_ = std::make_unique<cli::DecisionLog>(options.log_path);
    if (!s->log_->ok()) {
      error = s->log_->error() + "\n";
      return nullptr;
    }
    // --log is the engine's log hook, as `casex eval --log`.
    s->engine_->set_log([svc = s.get()](const LogEvent& e) { svc->log_decision(e); });
  }
  s->id_prefix_ = fmt::format(
      "{:x}{:x}", static_cast<unsigned>(getpid()),
      static_cast<unsigned>(std::chrono::system_clock::now().time_since_epoch().count() & 0xfffff));
  return s;
}

Service::~Service() {
  if (engine_) engine_->unwatch();
}

void Service::remember_sources(const ReloadResult& r) {
  if (!r.ok) return;
  std::lock_guard<std::mutex> lock(sources_mutex_);
  sources_version_ = r.version;
  sources_ = r.sources;
}

ReloadResult Service::reload() {
  ReloadResult r = engine_->reload();
  metrics_.reload(r.ok);
  remember_sources(r);
  return r;
}

bool Service::watch(std::string& error) {
  return engine_->watch(
      [this](const ReloadResult& r) {
        metrics_.reload(r.ok);
        remember_sources(r);
        if (r.ok)
          std::fprintf(stderr, "casex serve: rules %s in effect (watch)\n", r.version.c_str());
        else
          std::fprintf(stderr, "casex serve: new rules refused, %s still in effect (watch):\n%s",
                       r.version.c_str(), format_diagnostics(r.diagnostics, r.sources).c_str());
      },
      std::chrono::milliseconds(200), &error);
}

void Service::unwatch() { engine_->unwatch(); }

std::string Service::request_id(const Header& request) {
  auto given = request["X-Request-Id"];
  std::string_view id(given.data(), given.size());
  bool plain = !id.empty() && id.size() <= 64;
  for (char c : id)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.' || c == ':');
  if (plain) return std::string(id);
  return fmt::format("{}-{}", id_prefix_, next_id_++);
}

void Service::stamp(Response& response, std::string_view version, std::string_view request_id) {
  response.set(http::field::server, "casex/" CASEX_VERSION);
  response.set("X-Casex-Rules-Version", version);
  if (!request_id.empty()) response.set("X-Request-Id", request_id);
}

Response Service::json(http::status status, std::string body, const Request& request,
                       std::string_view version, std::string_view id) {
  Response res{status, request.version()};
  res.set(http::field::content_type, "application/json");
  stamp(res, version, id);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response Service::error(http::status status, std::string_view message, unsigned version) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json");
  stamp(res, engine_->version(), {});
  res.body() = error_body(message);
  res.prepare_payload();
  return res;
}

void Service::log_decision(const LogEvent& event) {
  if (event.kind != LogEvent::Kind::Decision || !log_) return;
  std::string line = with_request_id(event.line, t_request_id);
  std::lock_guard<std::mutex> lock(log_mutex_);
  if (!log_->write(line) && !log_->ok()) {
    static std::atomic<bool> said{false};
    if (!said.exchange(true)) std::fprintf(stderr, "casex serve: %s\n", log_->error().c_str());
  }
}

Response Service::handle(const Request& request) {
  Endpoint e = endpoint(request.target());
  if (e == Endpoint::Other)
    return error(http::status::not_found,
                 fmt::format("no such endpoint: {}", path_of(request.target())), request.version());
  const Route& r = *route_of(e);
  if (request.method() != r.method) {
    Response res =
        error(http::status::method_not_allowed,
              fmt::format("{} takes {}", r.path, http::to_string(r.method)), request.version());
    res.set(http::field::allow, http::to_string(r.method));
    return res;
  }
  std::string id = request_id(request);
  switch (e) {
    case Endpoint::Eval: return eval(request, id);
    case Endpoint::EvalLines: {
      LinesRun run = start_lines(request);
      run.request_id = id;
      std::string out;
      feed_lines(run, request.body(), out);
      finish_lines(run, out);
      return lines_response(request, run, std::move(out));
    }
    case Endpoint::Explain: return explain(request, id);
    case Endpoint::Rules: return rules_page(request, id);
    case Endpoint::RulesVersion: {
      std::string v = engine_->version();
      return json(http::status::ok, bj::serialize(bj::object{{"version", v}}) + "\n", request, v,
                  id);
    }
    case Endpoint::Lint: return lint(request, id);
    case Endpoint::Reload: return reload_endpoint(request, id);
    case Endpoint::Health:
      return json(http::status::ok, "{\"status\":\"ok\"}\n", request, engine_->version(), id);
    case Endpoint::Ready:
      return draining_ ? json(http::status::service_unavailable, "{\"status\":\"draining\"}\n",
                              request, engine_->version(), id)
                       : json(http::status::ok, "{\"status\":\"ready\"}\n", request,
                              engine_->version(), id);
    case Endpoint::Metrics: {
      std::string v = engine_->version();
      Response res{http::status::ok, request.version()};
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      stamp(res, v, id);
      res.body() = metrics_.text(v);
      res.prepare_payload();
      return res;
    }
    case Endpoint::Page: return simulator(request, id);
    case Endpoint::Vocabulary: {
      RuleSet rules = engine_->rules();
      return json(http::status::ok, vocabulary_json(rules), request, rules.version(), id);
    }
    case Endpoint::Scenarios: {
      RuleSet rules = engine_->rules();
      return json(http::status::ok, scenarios_json(rules, options_.tests_dir), request,
                  rules.version(), id);
    }
    case Endpoint::Other: break;
  }
  return error(http::status::not_found, "no such endpoint", request.version());
}

Response Service::eval(const Request& request, const std::string& id) {
  std::string out, message, version;  // the version of the rules that answered
  out.reserve(512);
  RequestIdScope scope(id);  // for the log hook
  if (!engine_->eval_json(request.body(), out, message, &version)) {
    metrics_.evaluation(false);
    return json(http::status::bad_request, error_body(message), request, version, id);
  }
  metrics_.evaluation(true, out);
  out.push_back('\n');
  return json(http::status::ok, std::move(out), request, version, id);
}

LinesRun Service::start_lines(const Header&) {
  LinesRun run;
  run.rules = engine_->rules();  // one rule set for the whole body
  if (log_) {
    run.logged = std::make_unique<Engine>(*run.rules, engine_->directory());
    run.logged->set_log([this](const LogEvent& e) { log_decision(e); });
    run.logged->set_input_options(options_.input);
  }
  return run;
}

void Service::answer_line(LinesRun& run, std::string_view line, bool too_long, std::string& out) {
  ++run.number;
  if (too_long) {
    cli::write_line_error(out, run.number, cli::too_long_error());
    ++run.errors;
    metrics_.evaluation(false);
    return;
  }
  std::size_t at = out.size();
  RequestIdScope scope(run.request_id);  // for the log hook
  if (run.logged
          ? cli::eval_one_line(*run.logged, line, run.number, out, run.error)
          : cli::eval_one_line(*run.rules, line, run.number, out, run.error, options_.input)) {
    metrics_.evaluation(true, std::string_view(out).substr(at, out.size() - at - 1));
  } else {
    ++run.errors;
    metrics_.evaluation(false);
  }
}

void Service::feed_lines(LinesRun& run, std::string_view data, std::string& out) {
  while (!data.empty()) {
    std::size_t nl = data.find('\n');
    std::string_view piece = data.substr(0, nl);
    if (run.skipping) {  // the rest of a line too long to keep: dropped
      if (nl == std::string_view::npos) return;
      run.skipping = false;
      answer_line(run, {}, true, out);
    } else if (nl != std::string_view::npos && run.carry.empty()) {
      if (piece.size() > cli::kMaxLine)
        answer_line(run, {}, true, out);
      else
        answer_line(run, piece, false, out);  // a whole line: not copied
    } else if (run.carry.size() + piece.size() > cli::kMaxLine) {
      run.carry.clear();
      run.carry.shrink_to_fit();
      if (nl == std::string_view::npos) {
        run.skipping = true;
        return;
      }
      answer_line(run, {}, true, out);
    } else {
      run.carry.append(piece);
      if (nl == std::string_view::npos) return;
      answer_line(run, run.carry, false, out);
      run.carry.clear();
    }
    data.remove_prefix(nl + 1);
  }
}

void Service::finish_lines(LinesRun& run, std::string& out) {
  if (run.skipping) {
    run.skipping = false;
    answer_line(run, {}, true, out);
  } else if (!run.carry.empty()) {  // a last line without '\n'
    answer_line(run, run.carry, false, out);
    run.carry.clear();
  }
}

Response Service::lines_response(const Header& header, const LinesRun& run, std::string body) {
  Response res{http::status::ok, header.version()};
  res.set(http::field::content_type, "application/x-ndjson");
  stamp(res, run.rules->version(), run.request_id);
  res.set("X-Casex-Lines", std::to_string(run.number));
  res.set("X-Casex-Errors", std::to_string(run.errors));
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response Service::explain(const Request& request, const std::string& id) {
  RuleSet rules = engine_->rules();
  Explanation e = explain_document(rules, request.body());
  if (!e.ok)
    return json(http::status::bad_request, error_body(e.error), request, rules.version(), id);
  if (!wants_text(request))
    return json(http::status::ok, e.json + "\n", request, rules.version(), id);
  Response res{http::status::ok, request.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  stamp(res, rules.version(), id);
  res.body() = cli::rules_line(options_.rules_dir, rules.version()) + e.text;  // as casex explain
  res.prepare_payload();
  return res;
}

Response Service::rules_page(const Request& request, const std::string& id) {
  RuleSet rules = engine_->rules();
  std::string page;
  {
    std::lock_guard<std::mutex> lock(sources_mutex_);
    if (page_version_ == rules.version()) {
      page = page_;
    } else {
      RenderOptions ro;
      ro.source = options_.rules_dir.empty() ? "the built-in rules" : options_.rules_dir;
      // As `casex render`: the findings of `casex lint` beside their rules (the
      // sources of the version in effect; none in the instant of a reload).
      bool have = sources_version_ == rules.version();
      std::vector<Diagnostic> findings;
      if (have) findings = lint_texts(sources_).diagnostics;
      page = render_rules_html(rules, findings, ro);
      if (have) page_version_ = rules.version(), page_ = page;
    }
  }
  Response res{http::status::ok, request.version()};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  stamp(res, rules.version(), id);
  res.body() = std::move(page);
  res.prepare_payload();
  return res;
}

Response Service::lint(const Request& request, const std::string& id) {
  std::string v = engine_->version();
  bj::error_code ec;
  bj::value doc = bj::parse(request.body(), ec);
  if (ec)
    return json(http::status::bad_request,
                error_body(fmt::format("the body is not JSON: {}", ec.message())), request, v, id);
  const bj::object* o = doc.if_object();
  const bj::value* files = o ? o->if_contains("files") : nullptr;
  if (!files || !files->is_object())
    return json(http::status::bad_request,
                error_body("expected {\"files\": {\"NAME.yaml\": \"TEXT\", ...}}"), request, v, id);
  std::vector<SourceFile> sources;
  for (const auto& [name, text] : files->get_object()) {
    if (!text.is_string())
      return json(http::status::bad_request,
                  error_body(fmt::format("files.{}: expected the text of a rule file (a string)",
                                         std::string_view(name))),
                  request, v, id);
    sources.push_back({std::string(name), std::string(text.get_string())});
  }
  // Only texts: lint_texts reads no file (the names are labels of diagnostics).
  LoadResult r = lint_texts(sources);
  return json(http::status::ok, lint_json(r.diagnostics, r.sources.size()), request, v, id);
}

Response Service::reload_endpoint(const Request& request, const std::string& id) {
  if (token_digest_.empty())  // off without --token-file: as if it did not exist
    return error(http::status::not_found, "no such endpoint: /v1/reload", request.version());
  auto auth = request[http::field::authorization];
  std::string_view given(auth.data(), auth.size());
  bool bearer = given.size() > 7 && iequals(given.substr(0, 7), "Bearer ");
  std::string digest = cli::sha256_hex(bearer ? given.substr(7) : std::string_view("\n"));
  // Digests of equal length, compared in constant time.
  if (!bearer || CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) != 0) {
    Response res =
        error(http::status::unauthorized, "a valid bearer token is required", request.version());
    res.set(http::field::www_authenticate, "Bearer");
    return res;
  }
  ReloadResult r = reload();
  if (r.ok)
    return json(
        http::status::ok,
        bj::serialize(bj::object{
            {"ok", true}, {"version", r.version}, {"previous_version", r.previous_version}}) +
            "\n",
        request, r.version, id);
  bj::value report = bj::parse(lint_json(r.diagnostics, r.sources.size()));
  bj::object body{{"ok", false},
                  {"version", r.version},
                  {"diagnostics", report.at("diagnostics")},
                  {"text", format_diagnostics(r.diagnostics, r.sources)}};
  return json(http::status::unprocessable_entity, bj::serialize(body) + "\n", request, r.version,
              id);
}

}  // namespace casex::serve
