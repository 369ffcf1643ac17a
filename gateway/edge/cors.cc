// CORS policy and headers, exactly as API.md's CORS section.
#include "gateway/edge/cors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace chatter::gateway {
namespace http = boost::beast::http;

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : allowed_origins_(std::move(allowed_origins)) {}

bool CorsPolicy::Matches(absl::string_view pattern, absl::string_view origin) {
  if (pattern == origin) return true;
  if (!absl::EndsWith(pattern, ":*")) return false;
  absl::string_view prefix = pattern.substr(0, pattern.size() - 1);  // "http://localhost:"
  if (!absl::StartsWith(origin, prefix)) return false;
  absl::string_view port = origin.substr(prefix.size());
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::optional<std::string> CorsPolicy::AllowedOrigin(absl::string_view origin) const {
  if (origin.empty()) return std::nullopt;
  for (const std::string& pattern : allowed_origins_) {
    if (pattern == "*") return std::string("*");
    if (Matches(pattern, origin)) return std::string(origin);
  }
  return std::nullopt;
}

HttpResponse CorsPolicy::Preflight(absl::string_view origin) const {
  HttpResponse response{http::status::no_content, 11};
  response.set(http::field::vary, "Origin");
  if (auto allowed = AllowedOrigin(origin)) {
    response.set(http::field::access_control_allow_origin, *allowed);
    response.set(http::field::access_control_allow_headers,
                 "Content-Type, Authorization, X-Auth-Token, X-Request-Id");
    response.set(http::field::access_control_allow_methods, "GET,POST,PUT,PATCH,DELETE,OPTIONS");
    response.set(http::field::access_control_max_age, "600");
  }
  response.prepare_payload();
  return response;
}

void CorsPolicy::Decorate(absl::string_view origin, HttpResponse& response) const {
  // Caches must not serve one origin's answer to another.
  response.set(http::field::vary, "Origin");
  if (auto allowed = AllowedOrigin(origin)) {
    response.set(http::field::access_control_allow_origin, *allowed);
    response.set(http::field::access_control_expose_headers, "X-Request-Id, Retry-After");
  }
}

}  // namespace chatter::gateway
