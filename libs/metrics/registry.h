// The set of metrics a process exposes, and their rendering for a Prometheus scrape.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "libs/metrics/counter.h"
#include "libs/metrics/gauge.h"
#include "libs/metrics/histogram.h"
#include "libs/metrics/names.h"

namespace chatter::metrics {
namespace internal {
struct Family;  // Defined in registry.cc: one name's type, help, buckets and children.
}  // namespace internal

// Metrics are grouped in families by name; within a family each label set is one child. Get*
// creates on first use and returns the same object afterwards; references stay valid for the
// registry's lifetime, so callers look a metric up once and update it lock-free after that.
//
// Misuse is a programming error and aborts with a message: an invalid metric or label name, a
// repeated label name, the same name registered as two types, or a histogram asked for with
// other buckets than its family has.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, Labels labels = {});
  // `bucket_upper_bounds`: finite and strictly increasing; a trailing +Inf is dropped.
  Histogram& GetHistogram(std::string_view name, std::string_view help, Labels labels,
                          std::vector<double> bucket_upper_bounds);

  // A gauge read at scrape time (pool sizes, queue depths). `read` runs on the scraping thread,
  // outside the registry's lock, so it may take the owner's lock; it must be quick and must stay
  // callable as long as the registry renders. Adding the same name and labels again replaces it.
  void AddCallbackGauge(std::string_view name, std::string_view help, Labels labels,
                        std::function<double()> read);

  // Text exposition format 0.0.4; families sorted by name, children by labels.
  std::string RenderText() const;

 private:
  // std::mutex rather than absl::Mutex: Debian's libabsl is not built for ThreadSanitizer, so
  // TSan cannot see absl::Mutex and would report races under it.
  mutable std::mutex mu_;
  // Guarded by mu_. Families and children are never removed, which keeps references stable.
  std::map<std::string, std::unique_ptr<internal::Family>, std::less<>> families_;
};

}  // namespace chatter::metrics
