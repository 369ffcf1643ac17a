// auth-svc's own settings.
#include "services/auth/auth_settings.h"

#include <sodium.h>

#include "absl/strings/str_split.h"

namespace chatter::auth {
namespace {

// "client_id:secret,..." -> client_id -> SHA-256(secret); the secrets are dropped at once.
absl::flat_hash_map<std::string, std::string> ParseServiceClients(config::ConfigReader& reader) {
  absl::flat_hash_map<std::string, std::string> clients;
  std::string spec = reader.OptionalSecret("CHATTER_SERVICE_CLIENTS");
  if (spec.empty()) return clients;
  for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    size_t colon = entry.find(':');
    if (colon == absl::string_view::npos || colon == 0 || colon + 1 >= entry.size()) {
      reader.Reject("CHATTER_SERVICE_CLIENTS", "entries must be client_id:secret");
      return {};
    }
    absl::string_view secret = entry.substr(colon + 1);
    if (secret.size() < 16) {
      reader.Reject("CHATTER_SERVICE_CLIENTS", "each secret must be at least 16 characters");
      return {};
    }
    std::string digest(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    clients[std::string(entry.substr(0, colon))] = std::move(digest);
  }
  return clients;
}

}  // namespace

AuthSettings ReadAuthSettings(config::ConfigReader& reader) {
  AuthSettings settings;
  AuthPolicy& policy = settings.policy;
  policy.issuer = reader.String("CHATTER_JWT_ISSUER", "chatterstack-auth");
  policy.audience = reader.String("CHATTER_JWT_AUDIENCE", "chatterstack");
  policy.access_token_ttl = absl::Seconds(reader.Int("CHATTER_ACCESS_TOKEN_TTL_S", 900, 60, 86400));
  policy.refresh_token_ttl =
      absl::Seconds(reader.Int("CHATTER_REFRESH_TOKEN_TTL_S", 30 * 86400, 3600, 365 * 86400));
  policy.service_token_ttl =
      absl::Seconds(reader.Int("CHATTER_SERVICE_TOKEN_TTL_S", 300, 60, 3600));
  policy.service_secret_hashes = ParseServiceClients(reader);
  policy.max_login_failures =
      static_cast<int>(reader.Int("CHATTER_LOGIN_MAX_FAILURES", 10, 1, 1000));
  policy.login_failure_window =
      absl::Seconds(reader.Int("CHATTER_LOGIN_FAILURE_WINDOW_S", 900, 10, 86400));
  policy.deleted_username_hold =
      absl::Hours(24) * reader.Int("CHATTER_DELETED_USERNAME_HOLD_DAYS", 30, 0, 3650);
  settings.revocation_poll_interval = reader.Millis("CHATTER_REVOCATION_POLL_MS", 1000, 100, 4000);
  settings.revocation_clients = reader.List("CHATTER_REVOCATION_CLIENTS", "chat-svc,gateway");
  settings.session_revokers = reader.List("CHATTER_SESSION_REVOKERS", "chat-svc");
  settings.directory_clients = reader.List("CHATTER_AUTH_DIRECTORY_CLIENTS", "chat-svc");
  settings.argon2.ops_limit =
      static_cast<uint64_t>(reader.Int("CHATTER_ARGON2_OPS_LIMIT", 2, 1, 10));
  settings.argon2.mem_limit_bytes =
      static_cast<size_t>(reader.Int("CHATTER_ARGON2_MEM_KIB", 64 * 1024, 8, 1024 * 1024)) * 1024;

  std::string keys = reader.Secret("CHATTER_JWT_SIGNING_KEYS");
  if (!keys.empty()) {
    auto parsed = jwt::ParseSigningKeys(keys);
    if (!parsed.ok()) {
      reader.Reject("CHATTER_JWT_SIGNING_KEYS", parsed.status().message());
    } else {
      settings.signing_keys = *std::move(parsed);
    }
  }
  return settings;
}

}  // namespace chatter::auth
