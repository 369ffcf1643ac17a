// Typed, validated settings from environment variables.
#include "libs/config/config_reader.h"

#include <arpa/inet.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace chatter::config {

std::optional<std::string> ProcessEnv::Get(absl::string_view name) const {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> MapEnv::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ConfigReader::Raw(absl::string_view name) {
  std::optional<std::string> value = env_.Get(name);
  // An empty variable means "unset": that is how deployment templates leave a value out.
  if (value && absl::StripAsciiWhitespace(*value).empty()) return std::nullopt;
  if (value) *value = std::string(absl::StripAsciiWhitespace(*value));
  return value;
}

void ConfigReader::Fail(absl::string_view name, absl::string_view problem) {
  if (status_.ok()) status_ = absl::InvalidArgumentError(absl::StrCat(name, ": ", problem));
}

std::string ConfigReader::String(absl::string_view name, absl::string_view default_value) {
  std::string value = Raw(name).value_or(std::string(default_value));
  effective_[std::string(name)] = value;
  return value;
}

std::string ConfigReader::Secret(absl::string_view name) {
  std::optional<std::string> value = Raw(name);
  if (!value) Fail(name, "is required");
  effective_[std::string(name)] = value ? "***" : "";
  return value.value_or("");
}

std::string ConfigReader::OptionalSecret(absl::string_view name) {
  std::optional<std::string> value = Raw(name);
  effective_[std::string(name)] = value ? "***" : "";
  return value.value_or("");
}

int64_t ConfigReader::Int(absl::string_view name, int64_t default_value, int64_t min, int64_t max) {
  std::optional<std::string> raw = Raw(name);
  int64_t value = default_value;
  if (raw && (!absl::SimpleAtoi(*raw, &value) || value < min || value > max)) {
    Fail(name, absl::StrCat("must be an integer in [", min, ", ", max, "], got \"", *raw, "\""));
    value = default_value;
  }
  effective_[std::string(name)] = absl::StrCat(value);
  return value;
}

bool ConfigReader::Bool(absl::string_view name, bool default_value) {
  std::optional<std::string> raw = Raw(name);
  bool value = default_value;
  if (raw && !absl::SimpleAtob(*raw, &value)) {
    Fail(name, absl::StrCat("must be true or false, got \"", *raw, "\""));
    value = default_value;
  }
  effective_[std::string(name)] = value ? "true" : "false";
  return value;
}

absl::Duration ConfigReader::Millis(absl::string_view name, int64_t default_ms, int64_t min_ms,
                                    int64_t max_ms) {
  return absl::Milliseconds(Int(name, default_ms, min_ms, max_ms));
}

std::optional<HostAndPort> ParseHostPort(absl::string_view value) {
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(value, "[")) {
    size_t close = value.find(']');
    if (close == absl::string_view::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      return std::nullopt;
    }
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
  } else {
    size_t colon = value.rfind(':');
    if (colon == absl::string_view::npos || value.find(':') != colon) return std::nullopt;
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  uint32_t port_number = 0;
  if (host.empty() || !absl::SimpleAtoi(port, &port_number) || port_number > 65535) {
    return std::nullopt;
  }
  return HostAndPort{std::string(host), static_cast<uint16_t>(port_number)};
}

std::string ConfigReader::HostPort(absl::string_view name, absl::string_view default_value) {
  std::string value = Raw(name).value_or(std::string(default_value));
  if (!ParseHostPort(value)) {
    Fail(name, absl::StrCat("must be host:port (e.g. 127.0.0.1:8080), got \"", value, "\""));
  }
  effective_[std::string(name)] = value;
  return value;
}

std::string ConfigReader::GrpcTarget(absl::string_view name, absl::string_view default_value) {
  std::string value = Raw(name).value_or(std::string(default_value));
  effective_[std::string(name)] = value;
  if (absl::StartsWith(value, "dns:///") && value.size() > 7) return value;
  std::vector<std::string> items = absl::StrSplit(value, ',', absl::SkipWhitespace());
  for (std::string& item : items) item = std::string(absl::StripAsciiWhitespace(item));
  if (items.size() == 1 && ParseHostPort(items[0])) return items[0];
  in_addr ipv4;
  bool all_ipv4 = !items.empty();
  for (const std::string& item : items) {
    std::optional<HostAndPort> parsed = ParseHostPort(item);
    all_ipv4 = all_ipv4 && parsed && parsed->port != 0 &&
               inet_pton(AF_INET, parsed->host.c_str(), &ipv4) == 1;
  }
  if (!all_ipv4) {
    Fail(name, absl::StrCat("must be host:port, a comma-separated list of IPv4 a.b.c.d:port, or "
                            "dns:///name:port, got \"",
                            value, "\""));
    return value;
  }
  return absl::StrCat("ipv4:", absl::StrJoin(items, ","));
}

std::string ConfigReader::Enum(absl::string_view name, absl::string_view default_value,
                               const std::vector<std::string>& allowed) {
  std::string value = absl::AsciiStrToLower(Raw(name).value_or(std::string(default_value)));
  bool known = false;
  for (const auto& candidate : allowed) known = known || candidate == value;
  if (!known) {
    Fail(name,
         absl::StrCat("must be one of ", absl::StrJoin(allowed, ", "), ", got \"", value, "\""));
  }
  effective_[std::string(name)] = value;
  return value;
}

std::vector<std::string> ConfigReader::List(absl::string_view name,
                                            absl::string_view default_value) {
  std::string raw = Raw(name).value_or(std::string(default_value));
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(raw, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  }
  effective_[std::string(name)] = absl::StrJoin(items, ",");
  return items;
}

std::string ConfigReader::Url(absl::string_view name, const std::vector<absl::string_view>& schemes,
                              bool required) {
  std::optional<std::string> value = Raw(name);
  effective_[std::string(name)] = value ? MaskUrlPassword(*value) : "";
  if (!value) {
    if (required) Fail(name, "is required");
    return "";
  }
  bool scheme_ok = false;
  for (absl::string_view scheme : schemes) {
    scheme_ok = scheme_ok || absl::StartsWith(*value, absl::StrCat(scheme, "://"));
  }
  if (!scheme_ok) {
    // Never echo the value: it may hold a password.
    Fail(name,
         absl::StrCat("must be a URL starting with ", absl::StrJoin(schemes, ":// or "), "://"));
  }
  return *value;
}

std::string ConfigReader::PostgresUrl(absl::string_view name) {
  return Url(name, {"postgresql", "postgres"});
}

std::string ConfigReader::RedisUrl(absl::string_view name) { return Url(name, {"redis"}); }

void ConfigReader::Removed(absl::string_view name, absl::string_view replacement) {
  if (Raw(name)) Fail(name, absl::StrCat("is no longer read; use ", replacement));
}

std::string ConfigReader::OptionalRedisUrl(absl::string_view name) {
  return Url(name, {"redis"}, /*required=*/false);
}

std::string MaskUrlPassword(absl::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return "***";
  std::string result(url);
  size_t authority_start = scheme_end + 3;
  size_t authority_end = result.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = result.size();
  size_t at = result.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority_start) {
    size_t colon = result.find(':', authority_start);
    if (colon != std::string::npos && colon < at) result.replace(colon + 1, at - colon - 1, "***");
  }
  // libpq also accepts ?password=...; mask its value too.
  size_t query = result.find('?');
  while (query != std::string::npos) {
    size_t key = result.find("password=", query);
    if (key == std::string::npos) break;
    size_t value_start = key + 9;
    size_t value_end = result.find('&', value_start);
    if (value_end == std::string::npos) value_end = result.size();
    result.replace(value_start, value_end - value_start, "***");
    query = result.find('&', value_start);
  }
  return result;
}

}  // namespace chatter::config
