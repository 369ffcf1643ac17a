// Pieces of the Prometheus text exposition format 0.0.4, shared by every metric type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libs/metrics/names.h"

namespace chatter::metrics {

// Shortest text that reads back as the same double; "+Inf", "-Inf" and "NaN" as Prometheus
// spells them.
std::string FormatValue(double value);

// Backslash, double quote and newline escaped, as a label value must be.
std::string EscapeLabelValue(std::string_view value);

// Backslash and newline escaped, as a HELP text must be.
std::string EscapeHelp(std::string_view help);

// "# HELP name help\n# TYPE name type\n".
void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        std::string_view type);

// `name{a="x",le="0.5"} value\n`; `le` is appended after `labels` when given (histogram buckets).
void AppendSample(std::string& out, std::string_view name, const Labels& labels,
                  std::optional<std::string_view> le, std::string_view value);

}  // namespace chatter::metrics
