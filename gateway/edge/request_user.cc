// Local, best-effort identification of a request's user, with a short-lived cache.
#include "gateway/edge/request_user.h"

#include <sodium.h>

#include "gateway/transcoding/access_token.h"

namespace chatter::gateway {
namespace {

// The cache holds digests, not tokens: no live credential lingers in it, and every entry has
// the same small size however long a token a client sends.
std::string DigestOf(const std::string& token) {
  std::string digest(16, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return digest;
}

}  // namespace

RequestUserIdentifier::RequestUserIdentifier(const authn::Authenticator& authenticator,
                                             ids::Clock& clock, RequestUserOptions options)
    : authenticator_(authenticator), clock_(clock), options_(options) {}

std::string RequestUserIdentifier::UserIdOf(const HttpRequest& request) {
  absl::StatusOr<std::string> token = AccessTokenFromHeaders(request);
  if (!token.ok() || token->empty()) return "";
  int64_t now = clock_.UnixMillis();
  std::string digest = DigestOf(*token);
  {
    absl::MutexLock lock(&mu_);
    auto known = known_.find(digest);
    if (known != known_.end() && known->second.until_millis > now) return known->second.user_id;
  }
  absl::StatusOr<authn::Principal> principal = authenticator_.AuthenticateToken(*token);
  std::string user_id;
  if (principal.ok() && principal->kind == authn::Principal::Kind::kUser) {
    user_id = principal->subject;
  }
  absl::MutexLock lock(&mu_);
  if (known_.size() >= options_.max_entries) known_.clear();
  known_[digest] = {.user_id = user_id,
                    .until_millis = now + absl::ToInt64Milliseconds(options_.ttl)};
  return user_id;
}

}  // namespace chatter::gateway
