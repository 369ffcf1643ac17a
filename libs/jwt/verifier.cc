// Verifier: structure, header, signature (over the exact received bytes), then claims.
#include "libs/jwt/verifier.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"
#include "libs/status/status_macros.h"

namespace chatter::jwt {
namespace {

// NumericDates beyond year 9999 are refused rather than overflowing absl::Time arithmetic.
constexpr double kMaxNumericDate = 253402300799.0;

absl::Status Reject(absl::string_view reason) {
  return absl::UnauthenticatedError(absl::StrCat("token ", reason));
}

// The three dot-separated segments of a compact JWS.
struct Segments {
  absl::string_view header;
  absl::string_view payload;
  absl::string_view signature;
  absl::string_view signing_input;  // "header.payload", exactly as received
};

absl::StatusOr<Segments> Split(absl::string_view token) {
  size_t first = token.find('.');
  if (first == absl::string_view::npos) return Reject("malformed");
  size_t second = token.find('.', first + 1);
  if (second == absl::string_view::npos || token.find('.', second + 1) != absl::string_view::npos) {
    return Reject("malformed");
  }
  return Segments{.header = token.substr(0, first),
                  .payload = token.substr(first + 1, second - first - 1),
                  .signature = token.substr(second + 1),
                  .signing_input = token.substr(0, second)};
}

// A base64url segment holding a JSON object; `what` names it in the error.
absl::StatusOr<nlohmann::json> DecodeObject(absl::string_view segment, absl::string_view what) {
  std::optional<std::string> text = Base64UrlDecode(segment);
  if (!text) return Reject("encoding invalid");
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Reject(absl::StrCat(what, " invalid"));
  return json;
}

// The kid of an acceptable header: alg exactly "EdDSA", no extensions we would have to honour.
absl::StatusOr<std::string> CheckHeader(const nlohmann::json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "EdDSA") {
    return Reject("algorithm not allowed");
  }
  // RFC 7515 §4.1.11: a verifier must refuse critical extensions it does not understand.
  if (header.contains("crit")) return Reject("header invalid");
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    return Reject("key id missing");
  }
  return kid->get<std::string>();
}

absl::Status ReadString(const nlohmann::json& payload, const char* name, std::string& out) {
  auto it = payload.find(name);
  if (it == payload.end()) return absl::OkStatus();
  if (!it->is_string()) return Reject(absl::StrCat("claim ", name, " invalid"));
  out = it->get<std::string>();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<absl::Time>> ReadTime(const nlohmann::json& payload,
                                                   const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_number()) return Reject(absl::StrCat("claim ", name, " invalid"));
  double seconds = it->get<double>();
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxNumericDate) {
    return Reject(absl::StrCat("claim ", name, " invalid"));
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
}

absl::StatusOr<absl::Time> ReadRequiredTime(const nlohmann::json& payload, const char* name) {
  CHATTER_ASSIGN_OR_RETURN(std::optional<absl::Time> time, ReadTime(payload, name));
  if (!time) return Reject(absl::StrCat("claim ", name, " missing"));
  return *time;
}

// aud may be one string or an array of strings (RFC 7519 §4.1.3).
absl::StatusOr<std::vector<std::string>> ReadAudiences(const nlohmann::json& payload) {
  std::vector<std::string> audiences;
  auto it = payload.find("aud");
  if (it == payload.end()) return audiences;
  if (it->is_string()) {
    audiences.push_back(it->get<std::string>());
    return audiences;
  }
  if (!it->is_array()) return Reject("claim aud invalid");
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) return Reject("claim aud invalid");
    audiences.push_back(item.get<std::string>());
  }
  return audiences;
}

absl::StatusOr<Claims> ReadClaims(const nlohmann::json& payload, absl::string_view audience) {
  Claims claims;
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "iss", claims.issuer));
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "sub", claims.subject));
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "sid", claims.session_id));
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "jti", claims.token_id));
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "typ", claims.type));
  CHATTER_RETURN_IF_ERROR(ReadString(payload, "username", claims.username));
  CHATTER_ASSIGN_OR_RETURN(claims.issued_at, ReadRequiredTime(payload, "iat"));
  CHATTER_ASSIGN_OR_RETURN(claims.expires_at, ReadRequiredTime(payload, "exp"));
  CHATTER_ASSIGN_OR_RETURN(claims.not_before, ReadTime(payload, "nbf"));
  CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> audiences, ReadAudiences(payload));
  // Left empty when the token does not name `audience`; CheckClaims refuses that.
  if (std::find(audiences.begin(), audiences.end(), audience) != audiences.end()) {
    claims.audience = std::string(audience);
  }
  return claims;
}

}  // namespace

Verifier::Verifier(const KeySet& keys, VerifyOptions options, ids::Clock& clock)
    : keys_(keys), options_(std::move(options)), clock_(clock) {}

absl::StatusOr<Claims> Verifier::Verify(absl::string_view token) const {
  if (token.size() > kMaxTokenBytes) return Reject("too large");
  CHATTER_ASSIGN_OR_RETURN(Segments segments, Split(token));
  CHATTER_ASSIGN_OR_RETURN(nlohmann::json header, DecodeObject(segments.header, "header"));
  CHATTER_ASSIGN_OR_RETURN(std::string kid, CheckHeader(header));
  std::optional<PublicKey> key = keys_.Find(kid);
  if (!key) return Reject("key unknown");

  std::array<uint8_t, kSignatureBytes> signature;
  if (!Base64UrlDecodeExact(segments.signature, signature)) return Reject("signature invalid");
  if (crypto_sign_verify_detached(signature.data(),
                                  reinterpret_cast<const uint8_t*>(segments.signing_input.data()),
                                  segments.signing_input.size(), key->key.data()) != 0) {
    return Reject("signature invalid");
  }

  CHATTER_ASSIGN_OR_RETURN(nlohmann::json payload, DecodeObject(segments.payload, "claims"));
  CHATTER_ASSIGN_OR_RETURN(Claims claims, ReadClaims(payload, options_.audience));
  CHATTER_RETURN_IF_ERROR(CheckClaims(claims));
  return claims;
}

absl::Duration Verifier::AcceptedFor(const Claims& claims) const {
  absl::Time now = absl::FromUnixMillis(clock_.UnixMillis());
  return std::max(claims.expires_at + options_.leeway - now, absl::ZeroDuration());
}

absl::Status Verifier::CheckClaims(const Claims& claims) const {
  // Empty expectations never match, so a misconfigured verifier accepts nothing.
  if (claims.issuer.empty() || claims.issuer != options_.issuer) return Reject("issuer mismatch");
  if (claims.audience.empty() || claims.audience != options_.audience) {
    return Reject("audience mismatch");
  }
  if (claims.subject.empty()) return Reject("claim sub missing");
  absl::Time now = absl::FromUnixMillis(clock_.UnixMillis());
  // exp is the first instant the token is no longer valid (RFC 7519 §4.1.4).
  if (now >= claims.expires_at + options_.leeway) return Reject("expired");
  if (claims.not_before && now < *claims.not_before - options_.leeway) {
    return Reject("not yet valid");
  }
  if (claims.issued_at > now + options_.leeway) return Reject("issued in the future");
  return absl::OkStatus();
}

}  // namespace chatter::jwt
