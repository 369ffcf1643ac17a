// Registry bookkeeping (families, children, misuse checks) and the two-phase scrape.
#include "libs/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <variant>

#include "libs/metrics/text_format.h"

namespace chatter::metrics {
namespace internal {

enum class Type { kCounter, kGauge, kHistogram };

using Callback = std::shared_ptr<const std::function<double()>>;
using Child = std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
                           std::unique_ptr<Histogram>, Callback>;

struct Family {
  Type type;
  std::string help;
  std::vector<double> bucket_upper_bounds;  // Histograms only.
  std::map<Labels, Child> children;
};

}  // namespace internal

namespace {

using internal::Callback;
using internal::Child;
using internal::Family;
using internal::Type;
using FamilyMap = std::map<std::string, std::unique_ptr<Family>, std::less<>>;

// What a scrape reads from one child once the registry's lock is released: pointers to metrics
// (never removed, so stable) and a shared copy of a callback (which may be replaced meanwhile).
using ChildView = std::variant<const Counter*, const Gauge*, const Histogram*, Callback>;

[[noreturn]] void Fail(std::string_view metric, std::string_view problem) {
  std::fprintf(stderr, "metrics::Registry: metric \"%.*s\": %.*s\n",
               static_cast<int>(metric.size()), metric.data(), static_cast<int>(problem.size()),
               problem.data());
  std::abort();
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Sorted by name, so the same labels in any order name the same child.
Labels CanonicalLabels(std::string_view metric, Labels labels, Type type) {
  std::sort(labels.begin(), labels.end());
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& name = labels[i].first;
    if (!IsValidLabelName(name)) Fail(metric, "invalid label name \"" + name + "\"");
    if (i > 0 && labels[i - 1].first == name) Fail(metric, "label \"" + name + "\" repeated");
    if (type == Type::kHistogram && name == "le") {
      Fail(metric, "label \"le\" is reserved for histogram buckets");
    }
  }
  return labels;
}

std::vector<double> CanonicalBuckets(std::string_view metric, std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();  // Always rendered; keeping it would print +Inf twice.
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      Fail(metric, "bucket bounds must be finite and strictly increasing");
    }
  }
  return bounds;
}

// The family `name`, created with `help` (and buckets) when missing; aborts when it exists with
// another type or other buckets. A later caller's `help` is ignored.
Family& FamilyFor(FamilyMap& families, std::string_view name, std::string_view help, Type type,
                  const std::vector<double>& bucket_upper_bounds = {}) {
  if (!IsValidMetricName(name)) Fail(name, "invalid metric name");
  auto it = families.find(name);
  if (it == families.end()) {
    auto family =
        std::make_unique<Family>(Family{type, std::string(help), bucket_upper_bounds, {}});
    it = families.emplace(std::string(name), std::move(family)).first;
  }
  Family& family = *it->second;
  if (family.type != type) {
    Fail(name, std::string("already registered as a ").append(TypeName(family.type)));
  }
  if (family.bucket_upper_bounds != bucket_upper_bounds) {
    Fail(name, "already registered with other bucket bounds");
  }
  return family;
}

// The child's metric of type T, made by `make` on first use.
template <typename T, typename Make>
T& ChildOf(Family& family, std::string_view metric, Labels key, Make make) {
  auto [it, inserted] = family.children.try_emplace(std::move(key));
  if (inserted) it->second = make();
  auto* existing = std::get_if<std::unique_ptr<T>>(&it->second);
  if (existing == nullptr) Fail(metric, "these labels already name a callback gauge");
  return **existing;
}

ChildView ViewOf(const Child& child) {
  return std::visit(
      [](const auto& held) -> ChildView {
        if constexpr (std::is_same_v<std::decay_t<decltype(held)>, Callback>) {
          return held;
        } else {
          return held.get();
        }
      },
      child);
}

// Appends the sample lines of one child.
class ChildRenderer {
 public:
  ChildRenderer(std::string& out, std::string_view name, const Labels& labels)
      : out_(out), name_(name), labels_(labels) {}

  void operator()(const Counter* counter) { Sample(name_, counter->Value()); }
  void operator()(const Gauge* gauge) { Sample(name_, gauge->Value()); }
  void operator()(const Callback& callback) { Sample(name_, (*callback)()); }

  void operator()(const Histogram* histogram) {
    const Histogram::Snapshot snapshot = histogram->Read();
    const std::string bucket = std::string(name_) + "_bucket";
    const std::vector<double>& bounds = histogram->upper_bounds();
    for (size_t i = 0; i < bounds.size(); ++i) {
      AppendSample(out_, bucket, labels_, FormatValue(bounds[i]),
                   std::to_string(snapshot.cumulative_counts[i]));
    }
    const std::string count = std::to_string(snapshot.cumulative_counts.back());
    AppendSample(out_, bucket, labels_, "+Inf", count);
    AppendSample(out_, std::string(name_) + "_sum", labels_, std::nullopt,
                 FormatValue(snapshot.sum));
    AppendSample(out_, std::string(name_) + "_count", labels_, std::nullopt, count);
  }

 private:
  void Sample(std::string_view name, double value) {
    AppendSample(out_, name, labels_, std::nullopt, FormatValue(value));
  }

  std::string& out_;
  std::string_view name_;
  const Labels& labels_;
};

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

Counter& Registry::GetCounter(std::string_view name, std::string_view help, Labels labels) {
  Labels key = CanonicalLabels(name, std::move(labels), Type::kCounter);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(families_, name, help, Type::kCounter);
  return ChildOf<Counter>(family, name, std::move(key), [] { return std::make_unique<Counter>(); });
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, Labels labels) {
  Labels key = CanonicalLabels(name, std::move(labels), Type::kGauge);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(families_, name, help, Type::kGauge);
  return ChildOf<Gauge>(family, name, std::move(key), [] { return std::make_unique<Gauge>(); });
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help, Labels labels,
                                  std::vector<double> bucket_upper_bounds) {
  Labels key = CanonicalLabels(name, std::move(labels), Type::kHistogram);
  const std::vector<double> bounds = CanonicalBuckets(name, std::move(bucket_upper_bounds));
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(families_, name, help, Type::kHistogram, bounds);
  return ChildOf<Histogram>(family, name, std::move(key),
                            [&] { return std::make_unique<Histogram>(bounds); });
}

void Registry::AddCallbackGauge(std::string_view name, std::string_view help, Labels labels,
                                std::function<double()> read) {
  if (!read) Fail(name, "callback gauge without a callback");
  Labels key = CanonicalLabels(name, std::move(labels), Type::kGauge);
  auto callback = std::make_shared<const std::function<double()>>(std::move(read));
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(families_, name, help, Type::kGauge);
  auto [it, inserted] = family.children.try_emplace(std::move(key), callback);
  if (inserted) return;
  if (!std::holds_alternative<Callback>(it->second)) {
    Fail(name, "these labels already name a plain gauge");
  }
  it->second = std::move(callback);
}

std::string Registry::RenderText() const {
  struct FamilyView {
    std::string_view name;
    const Family* family;  // Type, help and buckets never change once made.
    std::vector<std::pair<const Labels*, ChildView>> children;
  };
  // Phase one, under the lock: note what to read. Phase two, without it: read and format, so a
  // callback may take its owner's lock without ever ordering that lock against ours.
  std::vector<FamilyView> views;
  {
    std::lock_guard lock(mu_);
    views.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      FamilyView& view = views.emplace_back(FamilyView{name, family.get(), {}});
      for (const auto& [labels, child] : family->children) {
        view.children.emplace_back(&labels, ViewOf(child));
      }
    }
  }
  std::string out;
  for (const FamilyView& view : views) {
    AppendFamilyHeader(out, view.name, view.family->help, TypeName(view.family->type));
    for (const auto& [labels, child] : view.children) {
      std::visit(ChildRenderer(out, view.name, *labels), child);
    }
  }
  return out;
}

}  // namespace chatter::metrics
