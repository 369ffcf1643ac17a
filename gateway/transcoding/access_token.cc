// Access token extraction from the identity headers.
#include "gateway/transcoding/access_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"

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

// The one value `name` has in `request` (stripped; "" when absent). Several copies of the header
// with different values are refused: proxies disagree on which one counts (the first or the
// last), so the user they see could differ from ours.
template <typename Name>
absl::StatusOr<absl::string_view> SingleValue(const HttpRequest& request, Name name,
                                              absl::string_view field) {
  absl::string_view value;
  bool seen = false;
  for (auto [it, end] = request.equal_range(name); it != end; ++it) {
    absl::string_view copy = absl::StripAsciiWhitespace(ToAbsl(it->value()));
    if (seen && copy != value) {
      return status::InvalidFieldError(field, "is sent more than once, with different values");
    }
    value = copy;
    seen = true;
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> AccessTokenFromHeaders(const HttpRequest& request) {
  namespace http = boost::beast::http;
  CHATTER_ASSIGN_OR_RETURN(absl::string_view authorization,
                           SingleValue(request, http::field::authorization, "Authorization"));
  CHATTER_ASSIGN_OR_RETURN(absl::string_view header_token,
                           SingleValue(request, "X-Auth-Token", "X-Auth-Token"));
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
