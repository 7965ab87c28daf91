// tools/serve/metrics.cpp: the counters of `casex serve` and their Prometheus text.
#include "tools/serve/metrics.h"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>

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

}  // namespace

// The handler of a Boost.JSON basic_parser reading a result document: the
// "operation" of each object of its top-level "operations" and "suppressed"
// arrays, counted as they are read (no document is built).
struct Metrics::OperationNames {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  explicit OperationNames(Metrics& m) : metrics(m) {}
  Metrics& metrics;
  int depth = 0;               // 1: in the top-level object, 2: in its array, 3: in an operation
  ByName* key_list = nullptr;  // the top-level key just read names a list: its counts
  ByName* list = nullptr;      // the list being read
  bool name_next = false;      // the value read next is an operation's name
  std::string part;            // a key or string given in parts

  std::string_view whole(bj::string_view s) {
    if (part.empty()) return {s.data(), s.size()};
    part.append(s.data(), s.size());
    return part;
  }
  bool value() { return name_next = false, true; }

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) { return ++depth, value(); }
  bool on_object_end(std::size_t, bj::error_code&) { return --depth, true; }
  bool on_array_begin(bj::error_code&) {
    if (depth == 1 && key_list) list = key_list;
    return ++depth, value();
  }
  bool on_array_end(std::size_t, bj::error_code&) {
    if (--depth == 1) list = nullptr;
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    return part.append(s.data(), s.size()), true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    std::string_view key = whole(s);
    if (depth == 1)
      key_list = key == "operations"   ? &metrics.sent_
                 : key == "suppressed" ? &metrics.suppressed_
                                       : nullptr;
    name_next = depth == 3 && list && key == "operation";
    part.clear();
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    if (name_next) part.append(s.data(), s.size());
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    if (name_next) metrics.count(*list, whole(s));
    part.clear();
    return value();
  }
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(std::int64_t, bj::string_view, bj::error_code&) { return value(); }
  bool on_uint64(std::uint64_t, bj::string_view, bj::error_code&) { return value(); }
  bool on_double(double, bj::string_view, bj::error_code&) { return value(); }
  bool on_bool(bool, bj::error_code&) { return value(); }
  bool on_null(bj::error_code&) { return value(); }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

void Metrics::count(ByName& into, std::string_view name) {
  {
    std::shared_lock<std::shared_mutex> lock(names_m_);
    if (auto it = into.find(name); it != into.end()) {
      it->second.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::unique_lock<std::shared_mutex> lock(names_m_);
  into.try_emplace(std::string(name), 0).first->second.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::request(std::size_t endpoint, unsigned status, double seconds) {
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (endpoint >= kEndpoints) endpoint = kEndpoints - 1;
  status = std::min(std::max(status, kFirstStatus), kFirstStatus + kStatuses - 1);
  requests_[endpoint * kStatuses + (status - kFirstStatus)].fetch_add(1, std::memory_order_relaxed);
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  nanoseconds_sum_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Metrics::evaluation(bool ok, std::string_view result) {
  if (!ok) {
    evaluations_error_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  evaluations_ok_.fetch_add(1, std::memory_order_relaxed);
  // An incoming operation's result has no "operations": nothing is counted.
  bj::basic_parser<OperationNames> parser(bj::parse_options{}, *this);
  bj::error_code ec;
  parser.write_some(false, result.data(), result.size(), ec);
}

std::string Metrics::text(std::string_view rules_version) const {
  std::string out;
  auto head = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  head("casex_http_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
  for (std::size_t e = 0; e < kEndpoints; ++e)
    for (unsigned st = 0; st < kStatuses; ++st)
      if (auto n = requests_[e * kStatuses + st].load(std::memory_order_relaxed))
        out += fmt::format("casex_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n",
                           label(label_(e)), kFirstStatus + st, n);
  head("casex_http_request_duration_seconds", "histogram",
       "Time from a request's header read to its answer ready to send, in seconds.");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    out += fmt::format("casex_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b],
                       cumulative);
  }
  cumulative += buckets_[kBuckets.size()].load(std::memory_order_relaxed);
  out += fmt::format("casex_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("casex_http_request_duration_seconds_sum {}\n",
                     static_cast<double>(nanoseconds_sum_.load(std::memory_order_relaxed)) / 1e9);
  out += fmt::format("casex_http_request_duration_seconds_count {}\n", cumulative);
  head("casex_evaluations_total", "counter", "Documents evaluated, by result.");
  out += fmt::format("casex_evaluations_total{{result=\"ok\"}} {}\n", evaluations_ok_.load());
  out += fmt::format("casex_evaluations_total{{result=\"error\"}} {}\n", evaluations_error_.load());
  std::shared_lock<std::shared_mutex> lock(names_m_);
  head("casex_operations_sent_total", "counter", "Operations sent, by operation.");
  for (const auto& [name, n] : sent_)
    out +=
        fmt::format("casex_operations_sent_total{{operation=\"{}\"}} {}\n", label(name), n.load());
  head("casex_operations_suppressed_total", "counter",
       "Operations suppressed (loop prevention), by operation.");
  for (const auto& [name, n] : suppressed_)
    out += fmt::format("casex_operations_suppressed_total{{operation=\"{}\"}} {}\n", label(name),
                       n.load());
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
