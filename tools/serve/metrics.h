// tools/serve/metrics.h: what `casex serve` counts, written in the Prometheus
// text format (GET /metrics): requests by endpoint and status, a latency
// histogram, evaluations, operations sent and suppressed by operation,
// reloads, connections, and an info metric carrying the rules version.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

namespace casex::serve {

// Every counter is a relaxed atomic: a request is counted without a lock (the
// operations' names, few and fixed by the rules, take a shared lock).
class Metrics {
 public:
  /// The most endpoints counted; `label(i)` names endpoint i (0 <= i < kEndpoints).
  static constexpr std::size_t kEndpoints = 16;
  explicit Metrics(const char* (*label)(std::size_t)) : label_(label) {}

  /// One answered request: its endpoint (< kEndpoints), status and duration.
  void request(std::size_t endpoint, unsigned status, double seconds);
  /// One evaluated document: its result document (counts the operations sent
  /// and suppressed by name, read back with Boost.JSON) or an error.
  void evaluation(bool ok, std::string_view result = {});
  void reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_)++; }
  void connection_opened() { ++connections_open_, ++connections_total_; }
  void connection_closed() { --connections_open_; }
  void connection_refused() { ++connections_refused_; }
  long connections_open() const { return connections_open_; }

  /// Every metric, in the Prometheus text exposition format 0.0.4.
  std::string text(std::string_view rules_version) const;

  /// The histogram's upper bounds, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

 private:
  using Counter = std::atomic<std::uint64_t>;
  // Operations by name: found under the shared lock, added under the exclusive one.
  using ByName = std::map<std::string, Counter, std::less<>>;
  struct OperationNames;  // reads the names from a result document (metrics.cpp)
  void count(ByName& into, std::string_view name);

  const char* (*label_)(std::size_t);
  static constexpr unsigned kFirstStatus = 100, kStatuses = 500;  // 100..599
  std::array<Counter, kEndpoints * kStatuses> requests_{};
  std::array<Counter, kBuckets.size() + 1> buckets_{};  // the last: +Inf only
  Counter nanoseconds_sum_{0};
  mutable std::shared_mutex names_m_;
  ByName sent_, suppressed_;
  Counter evaluations_ok_{0}, evaluations_error_{0};
  Counter reloads_ok_{0}, reloads_failed_{0};
  std::atomic<long> connections_open_{0};
  Counter connections_total_{0}, connections_refused_{0};
};

}  // namespace casex::serve
