// Remembers which bearer tokens verified, so a service checks each token's Ed25519 signature
// once instead of on every call (~50 us of CPU each; a WebSocket user sends with the same token
// for up to 15 minutes). Entries are keyed by a 256-bit BLAKE2b digest of the token, never the
// token itself, and are trusted only while the verifier still accepts their claims (exp plus
// leeway, by its clock), so an entry can never outlive its token. Bounded: when full, expired
// entries go first, then everything (the next calls verify again).
//
// A key removed from the verifier's key set does not evict tokens it signed: they stay
// accepted until their own expiry (at most the access-token lifetime).
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "libs/jwt/verifier.h"

namespace chatter::authn {

class VerifiedTokenCache {
 public:
  // `verifier` decides how long a cached entry stays valid; it must outlive the cache.
  VerifiedTokenCache(const jwt::Verifier& verifier, size_t max_entries);

  // The claims of `token` if it verified before and is still accepted.
  std::optional<jwt::Claims> Find(absl::string_view token) const;
  // Remembers claims the verifier just accepted for `token`.
  void Remember(absl::string_view token, const jwt::Claims& claims);

  size_t size() const;

 private:
  static std::string DigestOf(absl::string_view token);

  const jwt::Verifier& verifier_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, jwt::Claims> entries_;  // Guarded by mu_.
};

}  // namespace chatter::authn
