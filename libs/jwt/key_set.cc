// KeySet: a reader-writer lock around a short list of public keys.
#include "libs/jwt/key_set.h"

#include <mutex>

namespace chatter::jwt {

void KeySet::Replace(std::vector<PublicKey> keys) {
  std::unique_lock lock(mu_);
  keys_.swap(keys);
  // The old keys are destroyed after the lock is released, when `keys` goes out of scope.
}

std::optional<PublicKey> KeySet::Find(absl::string_view kid) const {
  std::shared_lock lock(mu_);
  for (const PublicKey& key : keys_) {
    if (key.kid == kid) return key;
  }
  return std::nullopt;
}

std::vector<PublicKey> KeySet::Keys() const {
  std::shared_lock lock(mu_);
  return keys_;
}

}  // namespace chatter::jwt
