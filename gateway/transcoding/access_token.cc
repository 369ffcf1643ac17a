// Access token extraction from the identity headers.
#include "gateway/transcoding/access_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/status/error_details.h"

namespace chatter::gateway {
namespace {

// Bounds what we copy into gRPC metadata, whose values must be printable ASCII.
constexpr size_t kMaxTokenBytes = 8192;

bool IsTokenText(absl::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

absl::StatusOr<std::string> BearerToken(absl::string_view authorization) {
  size_t space = authorization.find(' ');
  absl::string_view scheme = authorization.substr(0, space);
  if (!absl::EqualsIgnoreCase(scheme, "Bearer")) {
    return absl::UnauthenticatedError("the Authorization header must use the Bearer scheme");
  }
  absl::string_view token = space == absl::string_view::npos
                                ? absl::string_view()
                                : absl::StripAsciiWhitespace(authorization.substr(space + 1));
  if (token.empty()) return absl::UnauthenticatedError("the Bearer credential is empty");
  return std::string(token);
}

}  // namespace

absl::StatusOr<std::string> AccessTokenFromHeaders(const HttpRequest& request) {
  namespace http = boost::beast::http;
  absl::string_view authorization =
      absl::StripAsciiWhitespace(ToAbsl(request[http::field::authorization]));
  absl::string_view header_token = absl::StripAsciiWhitespace(ToAbsl(request["X-Auth-Token"]));
  std::string token(header_token);
  if (!authorization.empty()) {
    absl::StatusOr<std::string> bearer = BearerToken(authorization);
    if (!bearer.ok()) return bearer.status();
    if (!header_token.empty() && header_token != *bearer) {
      return status::InvalidFieldError("X-Auth-Token", "differs from the Authorization header");
    }
    token = *std::move(bearer);
  }
  if (!token.empty() && !IsTokenText(token)) {
    return absl::UnauthenticatedError("the access token is malformed");
  }
  return token;
}

}  // namespace chatter::gateway
