// Ed25519 key material for JWTs: signing keys (auth-svc only), public keys (every verifier),
// their configuration text format and their JWK form (RFC 8037).
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::jwt {

inline constexpr size_t kSeedBytes = 32;
inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSecretKeyBytes = 64;
inline constexpr size_t kSignatureBytes = 64;

struct SigningKey {
  std::string kid;
  // libsodium layout: the 32-byte seed followed by the public key.
  std::array<uint8_t, kSecretKeyBytes> secret_key{};
  std::array<uint8_t, kPublicKeyBytes> public_key{};
};

struct PublicKey {
  std::string kid;
  std::array<uint8_t, kPublicKeyBytes> key{};

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// Key ids are 1-64 characters of [A-Za-z0-9._-]: safe in headers, logs and the text format.
bool IsValidKeyId(absl::string_view kid);

// Derives the key pair from a 32-byte seed. INVALID_ARGUMENT for a bad kid or seed size.
absl::StatusOr<SigningKey> SigningKeyFromSeed(std::string kid, absl::string_view seed32);

// A fresh key pair from libsodium's CSPRNG. `kid` must satisfy IsValidKeyId (check user input
// first): an invalid one is a programming error and aborts.
SigningKey GenerateSigningKey(std::string kid);

PublicKey PublicKeyOf(const SigningKey& key);

// "kid1:<base64url seed>,kid2:<base64url seed>", oldest first: the last entry is the one that
// signs. Whitespace around entries is ignored. Errors (INVALID_ARGUMENT) name the entry by
// position and, when it is valid, its kid; they never contain key material.
absl::StatusOr<std::vector<SigningKey>> ParseSigningKeys(absl::string_view text);

// One entry of the ParseSigningKeys format: "kid:<base64url seed>". Secret: handle as such.
std::string FormatSigningKey(const SigningKey& key);

// "kid1:<base64url public key>,..." in the same shape as ParseSigningKeys.
absl::StatusOr<std::vector<PublicKey>> ParsePublicKeys(absl::string_view text);

// One entry of the ParsePublicKeys format: "kid:<base64url public key>".
std::string FormatPublicKey(const PublicKey& key);

// {"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"}.
nlohmann::json ToJwk(const PublicKey& key);

// Inverse of ToJwk. `use` and `alg` may be absent but, when present, must be "sig" and "EdDSA".
// INVALID_ARGUMENT naming the offending member.
absl::StatusOr<PublicKey> FromJwk(const nlohmann::json& jwk);

}  // namespace chatter::jwt
