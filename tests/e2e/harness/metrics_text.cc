// Prometheus text parsing for tests.
#include "tests/e2e/harness/metrics_text.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace chatter::e2e {

std::optional<double> Sample(const std::string& text, const std::string& name,
                             const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) continue;
    absl::string_view series = line.substr(0, space);
    size_t brace = series.find('{');
    if (series.substr(0, brace) != name) continue;
    std::map<std::string, std::string> found;
    if (brace != absl::string_view::npos) {
      absl::string_view inside = series.substr(brace + 1, series.size() - brace - 2);
      for (absl::string_view pair : absl::StrSplit(inside, "\",")) {
        size_t equals = pair.find("=\"");
        if (equals == absl::string_view::npos) continue;
        absl::string_view value = pair.substr(equals + 2);
        if (absl::EndsWith(value, "\"")) value.remove_suffix(1);
        found[std::string(pair.substr(0, equals))] = std::string(value);
      }
    }
    bool matches = true;
    for (const auto& [key, value] : labels) {
      auto it = found.find(key);
      matches = matches && it != found.end() && it->second == value;
    }
    double value = 0;
    if (matches && absl::SimpleAtod(line.substr(space + 1), &value)) sum = sum.value_or(0) + value;
  }
  return sum;
}

}  // namespace chatter::e2e
