// tools/serve/metrics.cpp: the counters of `casex serve` and their Prometheus text.
#include "tools/serve/metrics.h"

#include <fmt/format.h>
#include <boost/json.hpp>

namespace casex::serve {

namespace bj = boost::json;

namespace {

// A label value as the exposition format writes it: \\, \" and \n escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += {'\\', c};
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

void count_names(const bj::value* list, std::map<std::string, std::uint64_t>& into) {
  if (!list || !list->is_array()) return;
  for (const auto& op : list->get_array())
    if (op.is_object())
      if (const auto* name = op.get_object().if_contains("operation"); name && name->is_string())
        ++into[std::string(name->get_string())];
}

}  // namespace

void Metrics::request(std::string_view endpoint, unsigned status, double seconds) {
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  std::lock_guard<std::mutex> lock(m_);
  ++requests_[{std::string(endpoint), status}];
  ++buckets_[b];
  seconds_sum_ += seconds;
  ++seconds_count_;
}

void Metrics::evaluation(bool ok, std::string_view result) {
  if (!ok) {
    ++evaluations_error_;
    return;
  }
  ++evaluations_ok_;
  // The result document, parsed into a buffer on the stack (no allocation for
  // the usual result); an incoming operation's result has no "operations".
  unsigned char buffer[4096];
  bj::monotonic_resource mr(buffer, sizeof buffer);
  bj::error_code ec;
  bj::value v = bj::parse(result, ec, &mr);
  if (ec || !v.is_object() || !v.get_object().contains("operations")) return;
  std::lock_guard<std::mutex> lock(m_);
  count_names(v.get_object().if_contains("operations"), sent_);
  count_names(v.get_object().if_contains("suppressed"), suppressed_);
}

std::string Metrics::text(std::string_view rules_version) const {
  std::string out;
  auto head = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  std::lock_guard<std::mutex> lock(m_);
  head("casex_http_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
  for (const auto& [key, n] : requests_)
    out += fmt::format("casex_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n",
                       label(key.first), key.second, n);
  head("casex_http_request_duration_seconds", "histogram",
       "Time from a request's header read to its answer written, in seconds.");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += buckets_[b];
    out += fmt::format("casex_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b],
                       cumulative);
  }
  cumulative += buckets_[kBuckets.size()];
  out += fmt::format("casex_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("casex_http_request_duration_seconds_sum {}\n", seconds_sum_);
  out += fmt::format("casex_http_request_duration_seconds_count {}\n", seconds_count_);
  head("casex_evaluations_total", "counter", "Documents evaluated, by result.");
  out += fmt::format("casex_evaluations_total{{result=\"ok\"}} {}\n", evaluations_ok_.load());
  out += fmt::format("casex_evaluations_total{{result=\"error\"}} {}\n", evaluations_error_.load());
  head("casex_operations_sent_total", "counter", "Operations sent, by operation.");
  for (const auto& [name, n] : sent_)
    out += fmt::format("casex_operations_sent_total{{operation=\"{}\"}} {}\n", label(name), n);
  head("casex_operations_suppressed_total", "counter",
       "Operations suppressed (loop prevention), by operation.");
  for (const auto& [name, n] : suppressed_)
    out +=
        fmt::format("casex_operations_suppressed_total{{operation=\"{}\"}} {}\n", label(name), n);
  head("casex_reloads_total", "counter", "Reloads of the rules, by result.");
  out += fmt::format("casex_reloads_total{{result=\"ok\"}} {}\n", reloads_ok_.load());
  out += fmt::format("casex_reloads_total{{result=\"failed\"}} {}\n", reloads_failed_.load());
  head("casex_connections_open", "gauge", "Connections open now.");
  out += fmt::format("casex_connections_open {}\n", connections_open_.load());
  head("casex_connections_total", "counter", "Connections accepted and served.");
  out += fmt::format("casex_connections_total {}\n", connections_total_.load());
  head("casex_connections_refused_total", "counter",
       "Connections refused (503) over --max-connections.");
  out += fmt::format("casex_connections_refused_total {}\n", connections_refused_.load());
  head("casex_rules_info", "gauge", "The rules in effect: their version, as a label.");
  out += fmt::format("casex_rules_info{{version=\"{}\"}} 1\n", label(rules_version));
  return out;
}

}  // namespace casex::serve
