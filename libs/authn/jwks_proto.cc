// Goes through the JSON JWK form so proto and JSON keys share one set of validation rules.
#include "libs/authn/jwks_proto.h"

#include <nlohmann/json.hpp>

namespace chatter::authn {

auth::v1::SigningKey ToProto(const jwt::PublicKey& key) {
  nlohmann::json jwk = jwt::ToJwk(key);
  auth::v1::SigningKey proto;
  proto.set_kid(jwk["kid"].get<std::string>());
  proto.set_kty(jwk["kty"].get<std::string>());
  proto.set_crv(jwk["crv"].get<std::string>());
  proto.set_x(jwk["x"].get<std::string>());
  proto.set_use(jwk["use"].get<std::string>());
  proto.set_alg(jwk["alg"].get<std::string>());
  return proto;
}

absl::StatusOr<jwt::PublicKey> FromProto(const auth::v1::SigningKey& key) {
  nlohmann::json jwk = {{"kid", key.kid()}, {"kty", key.kty()}, {"crv", key.crv()}, {"x", key.x()}};
  // proto3 cannot tell "absent" from "": an empty optional member counts as absent.
  if (!key.use().empty()) jwk["use"] = key.use();
  if (!key.alg().empty()) jwk["alg"] = key.alg();
  return jwt::FromJwk(jwk);
}

}  // namespace chatter::authn
