// Mints compact JWS tokens (EdDSA/Ed25519) from claims. Only auth-svc holds a Signer.
#pragma once

#include <string>
#include <vector>

#include "libs/jwt/claims.h"
#include "libs/jwt/keys.h"

namespace chatter::jwt {

class Signer {
 public:
  // `keys` oldest first, as ParseSigningKeys returns them; the last one signs. Must not be
  // empty (configuration parsing refuses an empty list; an empty one here aborts).
  explicit Signer(std::vector<SigningKey> keys);

  // header {"alg":"EdDSA","kid":<newest kid>,"typ":"JWT"}; sid, username and nbf only when set.
  std::string Sign(const Claims& claims) const;

  // Every key's public half, newest first (the order GetSigningKeys answers).
  std::vector<PublicKey> PublicKeys() const;

  const std::string& current_kid() const { return keys_.back().kid; }

 private:
  std::vector<SigningKey> keys_;
  // The newest key's encoded header followed by '.', computed once.
  std::string header_prefix_;
};

}  // namespace chatter::jwt
