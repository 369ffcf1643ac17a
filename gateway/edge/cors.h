// CORS from configuration: which browser origins may call the API, and the headers that say so.
// Patterns: an exact origin ("https://app.example.com"), "http://localhost:*" (any port), or
// "*" (any origin; only when configured explicitly).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gateway/http/http_types.h"

namespace chatter::gateway {

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  // The value for Access-Control-Allow-Origin, or nullopt when `origin` is not allowed.
  std::optional<std::string> AllowedOrigin(absl::string_view origin) const;
  // A preflight answer (204); without Access-Control-Allow-* headers for a refused origin.
  HttpResponse Preflight(absl::string_view origin) const;
  // Adds the headers an actual (non-preflight) response needs for `origin`.
  void Decorate(absl::string_view origin, HttpResponse& response) const;

 private:
  static bool Matches(absl::string_view pattern, absl::string_view origin);
  std::vector<std::string> allowed_origins_;
};

}  // namespace chatter::gateway
