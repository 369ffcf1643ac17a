// Exposition format 0.0.4 encoding: numbers, escaping, and the line shapes.
#include "libs/metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace chatter::metrics {
namespace {

std::string Escape(std::string_view text, bool escape_quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits laid out as Go's strconv 'g' does, which Prometheus' own clients
  // use: plain for decimal exponents in [-4, 6), scientific otherwise. Bucket bounds (le) thus
  // read the same as in other exporters: "0.0005", "2.5", "1e+06".
  char buffer[32];  // The longest shortest double, "-2.2250738585072014e-308", is 24 characters.
  char* end =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific).ptr;
  const std::string_view scientific(buffer, end - buffer);
  int exponent = 0;
  const std::string_view exponent_text = scientific.substr(scientific.find('e') + 1);
  std::from_chars(exponent_text.data() + (exponent_text[0] == '+'),
                  exponent_text.data() + exponent_text.size(), exponent);
  if (exponent < -4 || exponent >= 6) return std::string(scientific);
  end = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed).ptr;
  return std::string(buffer, end - buffer);
}

std::string EscapeLabelValue(std::string_view value) { return Escape(value, true); }

std::string EscapeHelp(std::string_view help) { return Escape(help, false); }

void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(EscapeHelp(help)).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(std::string& out, std::string_view name, const Labels& labels,
                  std::optional<std::string_view> le, std::string_view value) {
  out.append(name);
  if (!labels.empty() || le.has_value()) {
    char separator = '{';
    for (const auto& [label, label_value] : labels) {
      out.append(1, separator).append(label).append("=\"");
      out.append(EscapeLabelValue(label_value)).append("\"");
      separator = ',';
    }
    if (le.has_value()) out.append(1, separator).append("le=\"").append(*le).append("\"");
    out.append("}");
  }
  out.append(" ").append(value).append("\n");
}

}  // namespace chatter::metrics
