// Password hashing with argon2id (libsodium), including the constant-cost path for unknown users.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace chatter::password {

// Cost of one hash. Stored inside every encoded hash, so raising it later only affects new hashes
// (and NeedsRehash tells login to upgrade old ones).
struct Argon2Params {
  uint64_t ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem_limit_bytes = crypto_pwhash_MEMLIMIT_INTERACTIVE;
};

class PasswordHasher {
 public:
  // Hashes a dummy password once, up front, so SpendEquivalentTime costs what Verify costs.
  explicit PasswordHasher(Argon2Params params = {});

  // "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>" with a fresh random salt.
  // INVALID_ARGUMENT for out-of-range params or an over-long password; RESOURCE_EXHAUSTED when
  // the memory for hashing cannot be had.
  absl::StatusOr<std::string> Hash(std::string_view password) const;

  // False for a wrong password and for anything that is not an encoded argon2 hash.
  bool Verify(std::string_view encoded_hash, std::string_view password) const;

  // True when the hash is not argon2id or was made with other params than ours.
  bool NeedsRehash(std::string_view encoded_hash) const;

  // Verifies against the dummy hash and discards the result: login for a user that does not
  // exist must take as long as for one that does, or timing reveals which accounts exist.
  void SpendEquivalentTime(std::string_view password) const;

 private:
  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace chatter::password
