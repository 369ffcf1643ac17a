// Metric and label naming: the Labels type and the character rules of the Prometheus data model.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatter::metrics {

// Label name/value pairs. Order does not matter: a registry sorts them by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);

// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool IsValidLabelName(std::string_view name);

}  // namespace chatter::metrics
