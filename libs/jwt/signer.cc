// Signer: encodes claims as JSON, signs header.payload with the newest Ed25519 key.
#include "libs/jwt/signer.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"

namespace chatter::jwt {
namespace {

nlohmann::json ClaimsJson(const Claims& claims) {
  nlohmann::json payload = {
      {"iss", claims.issuer},
      {"aud", claims.audience},
      {"sub", claims.subject},
      {"jti", claims.token_id},
      {"typ", claims.type},
      {"iat", absl::ToUnixSeconds(claims.issued_at)},
      {"exp", absl::ToUnixSeconds(claims.expires_at)},
  };
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  if (!claims.username.empty()) payload["username"] = claims.username;
  if (claims.not_before) payload["nbf"] = absl::ToUnixSeconds(*claims.not_before);
  return payload;
}

}  // namespace

Signer::Signer(std::vector<SigningKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) {
    // A programming error: configuration parsing never yields an empty list.
    std::fputs("jwt::Signer: no signing keys\n", stderr);
    std::abort();
  }
  nlohmann::json header = {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", keys_.back().kid}};
  header_prefix_ = absl::StrCat(Base64UrlEncode(header.dump()), ".");
}

std::string Signer::Sign(const Claims& claims) const {
  // `replace` turns invalid UTF-8 into U+FFFD instead of throwing: Sign cannot fail.
  std::string payload =
      ClaimsJson(claims).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string token = absl::StrCat(header_prefix_, Base64UrlEncode(payload));
  std::array<uint8_t, kSignatureBytes> signature;
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const uint8_t*>(token.data()),
                       token.size(), keys_.back().secret_key.data());
  absl::StrAppend(&token, ".", Base64UrlEncode(signature));
  return token;
}

std::vector<PublicKey> Signer::PublicKeys() const {
  std::vector<PublicKey> keys;
  keys.reserve(keys_.size());
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) keys.push_back(PublicKeyOf(*it));
  return keys;
}

}  // namespace chatter::jwt
