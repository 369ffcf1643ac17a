// Shared by the jwt and authn tests and the jwt benchmark: a settable clock, deterministic keys,
// typical claims and a way to sign arbitrary header/payload JSON.
#pragma once

#include <sodium.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "libs/jwt/base64url.h"
#include "libs/jwt/claims.h"
#include "libs/jwt/keys.h"

namespace chatter::jwt::testing {

inline constexpr char kIssuer[] = "chatter-auth";
inline constexpr char kAudience[] = "chatter";
// 2026-11-22T10:12:00Z: a whole second, so NumericDate round trips are exact.
inline const absl::Time kNow = absl::FromUnixSeconds(1795342320);

class FakeClock final : public ids::Clock {
 public:
  explicit FakeClock(absl::Time now = kNow) : millis_(absl::ToUnixMillis(now)) {}
  int64_t UnixMillis() override { return millis_.load(); }
  void Set(absl::Time now) { millis_.store(absl::ToUnixMillis(now)); }
  void Advance(absl::Duration by) { millis_.fetch_add(absl::ToInt64Milliseconds(by)); }

 private:
  std::atomic<int64_t> millis_;
};

// A key whose seed is 32 copies of `fill`: stable across runs, distinct per fill.
inline SigningKey TestKey(std::string kid, uint8_t fill) {
  std::string seed(kSeedBytes, static_cast<char>(fill));
  return *SigningKeyFromSeed(std::move(kid), seed);
}

inline Claims UserClaims(absl::Time now = kNow) {
  return Claims{.issuer = kIssuer,
                .audience = kAudience,
                .subject = "0190a5d2-ac96-774b-bcce-b302099a8057",
                .session_id = "0190a5d2-ac96-774b-bcce-b302099a8058",
                .token_id = "0190a5d2-ac96-774b-bcce-b302099a8059",
                .type = kUserTokenType,
                .username = "alice",
                .issued_at = now,
                .expires_at = now + absl::Minutes(15),
                .not_before = std::nullopt};
}

inline Claims ServiceClaims(absl::Time now = kNow) {
  Claims claims = UserClaims(now);
  claims.subject = "chat-svc";
  claims.session_id.clear();
  claims.username.clear();
  claims.type = kServiceTokenType;
  claims.expires_at = now + absl::Minutes(5);
  return claims;
}

// The JSON of UserClaims, for tests that change one member and sign with SignRaw.
inline nlohmann::json UserPayload(absl::Time now = kNow) {
  return {{"iss", kIssuer},
          {"aud", kAudience},
          {"sub", "0190a5d2-ac96-774b-bcce-b302099a8057"},
          {"sid", "0190a5d2-ac96-774b-bcce-b302099a8058"},
          {"jti", "0190a5d2-ac96-774b-bcce-b302099a8059"},
          {"typ", kUserTokenType},
          {"username", "alice"},
          {"iat", absl::ToUnixSeconds(now)},
          {"exp", absl::ToUnixSeconds(now + absl::Minutes(15))}};
}

inline nlohmann::json EdDsaHeader(const std::string& kid) {
  return {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", kid}};
}

// header.payload signed with `key`, whatever the header says: lets tests reach the checks that
// come after the signature.
inline std::string SignRaw(const std::string& header, const std::string& payload,
                           const SigningKey& key) {
  std::string input = absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));
  std::array<uint8_t, kSignatureBytes> signature;
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const uint8_t*>(input.data()),
                       input.size(), key.secret_key.data());
  return absl::StrCat(input, ".", Base64UrlEncode(signature));
}

inline std::string SignRaw(const nlohmann::json& header, const nlohmann::json& payload,
                           const SigningKey& key) {
  return SignRaw(header.dump(), payload.dump(), key);
}

}  // namespace chatter::jwt::testing
