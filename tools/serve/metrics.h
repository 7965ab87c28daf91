// tools/serve/metrics.h: what `casex serve` counts, written in the Prometheus
// text format (GET /metrics): requests by endpoint and status, a latency
// histogram, evaluations, operations sent and suppressed by operation,
// reloads, connections, and an info metric carrying the rules version.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace casex::serve {

class Metrics {
 public:
  /// One answered request: its endpoint's label, status and duration.
  void request(std::string_view endpoint, unsigned status, double seconds);
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
  mutable std::mutex m_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> sent_, suppressed_;
  std::array<std::uint64_t, kBuckets.size() + 1> buckets_{};  // the last: +Inf only
  double seconds_sum_ = 0;
  std::uint64_t seconds_count_ = 0;
  std::atomic<std::uint64_t> evaluations_ok_{0}, evaluations_error_{0};
  std::atomic<std::uint64_t> reloads_ok_{0}, reloads_failed_{0};
  std::atomic<long> connections_open_{0};
  std::atomic<std::uint64_t> connections_total_{0}, connections_refused_{0};
};

}  // namespace casex::serve
