// Metadata lookups; gRPC lower-cases metadata keys, so exact key matches suffice.
#include "libs/authn/metadata.h"

#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace chatter::authn {
namespace {

absl::string_view View(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

}  // namespace

absl::StatusOr<std::string> BearerTokenFrom(const grpc::ServerContextBase& context) {
  auto [begin, end] = context.client_metadata().equal_range("authorization");
  if (begin == end) return absl::UnauthenticatedError("missing bearer token");
  // Two credentials could disagree; refuse rather than guess which one counts.
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError("more than one authorization header");
  }
  absl::string_view value = View(begin->second);
  constexpr absl::string_view kScheme = "bearer ";
  if (!absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError("authorization is not a bearer token");
  }
  absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  return std::string(token);
}

std::string RequestIdFrom(const grpc::ServerContextBase& context) {
  auto it = context.client_metadata().find("x-request-id");
  if (it == context.client_metadata().end()) return "";
  return std::string(View(it->second));
}

}  // namespace chatter::authn
