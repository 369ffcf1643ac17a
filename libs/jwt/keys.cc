// Key derivation, the "kid:base64url" configuration format and JWK conversion for Ed25519 keys.
#include "libs/jwt/keys.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/ids/random_source.h"
#include "libs/jwt/base64url.h"
#include "libs/status/status_macros.h"

namespace chatter::jwt {
namespace {

static_assert(kSeedBytes == crypto_sign_SEEDBYTES);
static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);

// One "kid:<base64url 32 bytes>" entry; `bytes` may be a seed, so callers wipe it.
struct Entry {
  std::string kid;
  std::array<uint8_t, 32> bytes{};
};

// Shared by the signing and public key formats. Errors name an entry by its position only
// ("signing key 2"): a misplaced separator can put a seed where the kid belongs.
absl::StatusOr<std::vector<Entry>> ParseEntries(absl::string_view text, absl::string_view what,
                                                absl::string_view material) {
  std::vector<Entry> entries;
  int position = 0;
  for (absl::string_view raw : absl::StrSplit(text, ',')) {
    ++position;
    absl::string_view item = absl::StripAsciiWhitespace(raw);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == absl::string_view::npos || !IsValidKeyId(item.substr(0, colon))) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", position, ": expected kid:<base64url>, kid 1-64 of [A-Za-z0-9._-]"));
    }
    Entry entry{.kid = std::string(item.substr(0, colon))};
    if (!Base64UrlDecodeExact(item.substr(colon + 1), entry.bytes)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", position, ": ", material, " must be 32 bytes of base64url"));
    }
    for (const Entry& seen : entries) {
      if (seen.kid == entry.kid) {
        return absl::InvalidArgumentError(absl::StrCat(what, " ", position, ": duplicate kid"));
      }
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) return absl::InvalidArgumentError(absl::StrCat("no ", what, "s given"));
  return entries;
}

void Wipe(std::vector<Entry>& entries) {
  for (Entry& entry : entries) sodium_memzero(entry.bytes.data(), entry.bytes.size());
}

absl::Status CheckPublicKey(const std::array<uint8_t, kPublicKeyBytes>& key,
                            absl::string_view where) {
  // Rejects encodings that are not on the curve or of small order: no signature could verify.
  if (crypto_core_ed25519_is_valid_point(key.data()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": not a valid Ed25519 public key"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> JwkMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("jwk: \"", name, "\" must be a string"));
  }
  return it->get<std::string>();
}

absl::Status ExpectJwkMember(const nlohmann::json& jwk, const char* name, absl::string_view want,
                             bool optional) {
  if (optional && !jwk.contains(name)) return absl::OkStatus();
  CHATTER_ASSIGN_OR_RETURN(std::string value, JwkMember(jwk, name));
  if (value != want) {
    return absl::InvalidArgumentError(absl::StrCat("jwk: \"", name, "\" must be \"", want, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidKeyId(absl::string_view kid) {
  if (kid.empty() || kid.size() > 64) return false;
  for (char c : kid) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

absl::StatusOr<SigningKey> SigningKeyFromSeed(std::string kid, absl::string_view seed32) {
  if (!IsValidKeyId(kid)) {
    return absl::InvalidArgumentError("signing key: kid must be 1-64 of [A-Za-z0-9._-]");
  }
  if (seed32.size() != kSeedBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key \"", kid, "\": seed must be 32 bytes"));
  }
  SigningKey key{.kid = std::move(kid)};
  crypto_sign_seed_keypair(key.public_key.data(), key.secret_key.data(),
                           reinterpret_cast<const uint8_t*>(seed32.data()));
  return key;
}

SigningKey GenerateSigningKey(std::string kid) {
  if (!IsValidKeyId(kid)) {
    std::fputs("jwt::GenerateSigningKey: invalid kid\n", stderr);
    std::abort();
  }
  std::array<uint8_t, kSeedBytes> seed;
  ids::SodiumRandomSource().Fill(seed);
  absl::StatusOr<SigningKey> key = SigningKeyFromSeed(
      std::move(kid), absl::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
  sodium_memzero(seed.data(), seed.size());
  return *std::move(key);  // Cannot fail: kid and seed size are valid.
}

PublicKey PublicKeyOf(const SigningKey& key) { return {.kid = key.kid, .key = key.public_key}; }

absl::StatusOr<std::vector<SigningKey>> ParseSigningKeys(absl::string_view text) {
  CHATTER_ASSIGN_OR_RETURN(std::vector<Entry> entries, ParseEntries(text, "signing key", "seed"));
  std::vector<SigningKey> keys;
  for (const Entry& entry : entries) {
    absl::StatusOr<SigningKey> key = SigningKeyFromSeed(
        entry.kid,
        absl::string_view(reinterpret_cast<const char*>(entry.bytes.data()), entry.bytes.size()));
    // Cannot fail: kid and seed size were checked by ParseEntries.
    keys.push_back(*std::move(key));
  }
  Wipe(entries);
  return keys;
}

std::string FormatSigningKey(const SigningKey& key) {
  // The seed is the first half of libsodium's secret key.
  return absl::StrCat(key.kid, ":",
                      Base64UrlEncode(std::span<const uint8_t>(key.secret_key.data(), kSeedBytes)));
}

absl::StatusOr<std::vector<PublicKey>> ParsePublicKeys(absl::string_view text) {
  CHATTER_ASSIGN_OR_RETURN(std::vector<Entry> entries, ParseEntries(text, "public key", "key"));
  std::vector<PublicKey> keys;
  for (const Entry& entry : entries) {
    CHATTER_RETURN_IF_ERROR(
        CheckPublicKey(entry.bytes, absl::StrCat("public key \"", entry.kid, "\"")));
    keys.push_back({.kid = entry.kid, .key = entry.bytes});
  }
  return keys;
}

std::string FormatPublicKey(const PublicKey& key) {
  return absl::StrCat(key.kid, ":", Base64UrlEncode(key.key));
}

nlohmann::json ToJwk(const PublicKey& key) {
  return {{"kty", "OKP"},   {"crv", "Ed25519"}, {"x", Base64UrlEncode(key.key)},
          {"kid", key.kid}, {"use", "sig"},     {"alg", "EdDSA"}};
}

absl::StatusOr<PublicKey> FromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return absl::InvalidArgumentError("jwk: must be a JSON object");
  CHATTER_RETURN_IF_ERROR(ExpectJwkMember(jwk, "kty", "OKP", /*optional=*/false));
  CHATTER_RETURN_IF_ERROR(ExpectJwkMember(jwk, "crv", "Ed25519", /*optional=*/false));
  CHATTER_RETURN_IF_ERROR(ExpectJwkMember(jwk, "use", "sig", /*optional=*/true));
  CHATTER_RETURN_IF_ERROR(ExpectJwkMember(jwk, "alg", "EdDSA", /*optional=*/true));
  CHATTER_ASSIGN_OR_RETURN(std::string kid, JwkMember(jwk, "kid"));
  if (!IsValidKeyId(kid)) {
    return absl::InvalidArgumentError("jwk: \"kid\" must be 1-64 of [A-Za-z0-9._-]");
  }
  CHATTER_ASSIGN_OR_RETURN(std::string x, JwkMember(jwk, "x"));
  PublicKey key{.kid = std::move(kid)};
  if (!Base64UrlDecodeExact(x, key.key)) {
    return absl::InvalidArgumentError("jwk: \"x\" must be 32 bytes of base64url");
  }
  CHATTER_RETURN_IF_ERROR(CheckPublicKey(key.key, absl::StrCat("jwk \"", key.kid, "\"")));
  return key;
}

}  // namespace chatter::jwt
