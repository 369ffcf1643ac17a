// Public keys <-> chatter.auth.v1.SigningKey (the JWK message of GetSigningKeys), for auth-svc
// answering it and for verifiers reading the answer.
#pragma once

#include "absl/status/statusor.h"
#include "chatter/auth/v1/auth.pb.h"
#include "libs/jwt/keys.h"

namespace chatter::authn {

auth::v1::SigningKey ToProto(const jwt::PublicKey& key);

// INVALID_ARGUMENT (from jwt::FromJwk) for a key that is not a usable Ed25519 JWK.
absl::StatusOr<jwt::PublicKey> FromProto(const auth::v1::SigningKey& key);

}  // namespace chatter::authn
