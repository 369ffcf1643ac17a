// auth-svc: accounts, login, tokens and sessions. Composition root only:
// settings -> dependencies -> server -> wait.
#include <iostream>

#include "libs/authn/authenticator.h"
#include "libs/ids/uuid_generator.h"
#include "libs/jwt/jwt.h"
#include "libs/service/service_runtime.h"
#include "services/auth/api/auth_grpc_service.h"
#include "services/auth/auth_settings.h"
#include "services/auth/storage/pg_login_failure_repository.h"
#include "services/auth/storage/pg_revocation_log.h"
#include "services/auth/storage/pg_session_repository.h"
#include "services/auth/storage/pg_user_repository.h"

int main(int argc, char** argv) {
  using namespace chatter;
  // `auth-svc genkey [kid]` prints a new signing key entry for CHATTER_JWT_SIGNING_KEYS.
  if (argc > 1 && std::string_view(argv[1]) == "genkey") {
    std::string kid = argc > 2 ? argv[2] : "k1";
    if (!jwt::IsValidKeyId(kid)) {
      std::cerr << "auth-svc genkey: kid must be 1-64 of A-Z a-z 0-9 . _ -\n";
      return 2;
    }
    std::cout << jwt::FormatSigningKey(jwt::GenerateSigningKey(kid)) << "\n";
    return 0;
  }
  std::vector<pg::PreparedStatement> statements = auth::PgUserRepository::Statements();
  for (auto& statement : auth::PgSessionRepository::Statements()) statements.push_back(statement);
  for (auto& statement : auth::PgLoginFailureRepository::Statements()) {
    statements.push_back(statement);
  }
  for (auto& statement : auth::PgRevocationLog::Statements()) statements.push_back(statement);
  service::ServiceRuntime runtime({.name = "auth-svc",
                                   .default_grpc_listen = "127.0.0.1:50051",
                                   .default_admin_listen = "127.0.0.1:9101",
                                   .uses_postgres = true,
                                   .uses_redis = false,
                                   .migrations = &pg::EmbeddedMigrations(),
                                   .prepared_statements = std::move(statements),
                                   .verifies_tokens_with_public_keys = false},
                                  argc, argv);
  auth::AuthSettings settings = auth::ReadAuthSettings(runtime.config());
  if (auto exit_code = runtime.Initialize()) return *exit_code;

  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  ids::UuidGenerator uuids(clock, random);
  password::PasswordHasher hasher(settings.argon2);
  jwt::Signer signer(settings.signing_keys);
  jwt::KeySet verification_keys;
  verification_keys.Replace(signer.PublicKeys());
  jwt::Verifier verifier(verification_keys,
                         {.issuer = settings.policy.issuer, .audience = settings.policy.audience},
                         clock);
  // auth-svc refuses tokens of ended logins too: it follows its own log, as every replica
  // must learn of logouts handled by the others.
  authn::RevokedSessions revoked_sessions(clock);
  authn::Authenticator authenticator(verifier, &revoked_sessions);
  auth::PgRevocationLog revocation_log(runtime.pool());
  auth::PgUserRepository users(runtime.pool());
  auth::PgSessionRepository sessions(runtime.pool());
  auth::PgLoginFailureRepository login_failures(runtime.pool());
  auth::AuthService auth_service(settings.policy, users, sessions, login_failures, hasher, signer,
                                 uuids, random, clock);
  auth::AuthGrpcService grpc_service(auth_service, authenticator, signer,
                                     settings.directory_clients, settings.revocation_clients,
                                     settings.session_revokers, revocation_log);
  authn::RevocationFeed revocations(revocation_log, revoked_sessions);
  revocations.Start(settings.revocation_poll_interval);
  runtime.server().AddService(&grpc_service);
  return runtime.Serve();
}
