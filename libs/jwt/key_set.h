// The public keys a verifier accepts, replaceable at run time when auth-svc rotates its keys.
#pragma once

#include <optional>
#include <shared_mutex>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/jwt/keys.h"

namespace chatter::jwt {

// Thread-safe: many verifying threads call Find while a refresher calls Replace.
class KeySet {
 public:
  KeySet() = default;
  explicit KeySet(std::vector<PublicKey> keys) : keys_(std::move(keys)) {}
  KeySet(const KeySet&) = delete;
  KeySet& operator=(const KeySet&) = delete;

  void Replace(std::vector<PublicKey> keys);
  std::optional<PublicKey> Find(absl::string_view kid) const;
  // A snapshot, in the order last given.
  std::vector<PublicKey> Keys() const;

 private:
  // std::shared_mutex rather than absl::Mutex: Debian's libabsl is not built for
  // ThreadSanitizer, which would otherwise report false races.
  mutable std::shared_mutex mu_;
  std::vector<PublicKey> keys_;  // A handful at most, so a linear scan beats a map.
};

}  // namespace chatter::jwt
