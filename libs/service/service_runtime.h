// The life cycle every service shares, so each main.cc only wires its own components:
//   ServiceRuntime runtime(spec, argc, argv);      // signals blocked, common settings read
//   MySettings s = ReadMySettings(runtime.config()); // service-specific settings
//   if (auto code = runtime.Initialize()) return *code;  // validate, log, migrate, pool
//   ... build components from runtime.pool()/metrics(), runtime.server().AddService(...)
//   return runtime.Serve();                          // serve until SIGTERM/SIGINT, drain
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/authn/token_verification.h"
#include "libs/config/config_reader.h"
#include "libs/grpc_server/grpc_server.h"
#include "libs/grpc_server/readiness_monitor.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/registry.h"
#include "libs/pg/migration.h"
#include "libs/pg/pool.h"
#include "libs/process/shutdown_signal.h"
#include "libs/redis/redis_url.h"

namespace chatter::service {

struct ServiceSpec {
  std::string name;  // "auth-svc"
  std::string default_grpc_listen;
  std::string default_admin_listen;
  bool uses_postgres = false;
  bool uses_redis = false;
  // The service's own schema, applied at start and by `<binary> migrate`.
  const std::vector<pg::Migration>* migrations = nullptr;
  // Prepared on every pooled connection (the repositories' Statements()).
  std::vector<pg::PreparedStatement> prepared_statements;
  // Verifies callers' tokens with auth-svc's public keys (every service but auth-svc, which
  // holds the signing keys itself).
  bool verifies_tokens_with_public_keys = false;
  // CHATTER_GRPC_MAX_THREADS unless set: threads serving synchronous RPCs at once.
  int default_grpc_max_threads = 32;
};

class ServiceRuntime {
 public:
  ServiceRuntime(ServiceSpec spec, int argc, char** argv);
  ~ServiceRuntime();

  // Read service-specific settings here before Initialize() validates everything at once.
  config::ConfigReader& config() { return config_; }

  // Validates configuration (exit code 2 with one line naming the bad variable), starts logging,
  // opens the pool and applies migrations. Returns an exit code when the process should end now
  // (`--version`, `migrate`, or a failure); nullopt to go on.
  std::optional<int> Initialize();

  metrics::Registry& metrics() { return metrics_; }
  pg::Pool& pool() { return *pool_; }                            // Only when spec.uses_postgres.
  const redis::RedisEndpoint& redis() const { return *redis_; }  // Only when spec.uses_redis.
  grpc_server::GrpcServer& server() { return *server_; }
  // Only when spec.verifies_tokens_with_public_keys.
  const authn::Authenticator& authenticator() const { return token_verification_->authenticator(); }
  // Only when spec.verifies_tokens_with_public_keys: FollowRevocations() once the service's
  // token source exists, so tokens of ended logins are refused.
  authn::TokenVerification& token_verification() { return *token_verification_; }

  // A readiness check of the service's own (e.g. a subscription), reported like the
  // dependencies' under `check.name`. Call before Serve().
  void AddReadinessCheck(grpc_server::DependencyCheck check) {
    extra_checks_.push_back(std::move(check));
  }
  // Runs on SIGTERM/SIGINT after health turned NOT_SERVING and before the gRPC server stops
  // accepting calls and drains: the place to end long-lived streams so their clients fail over
  // at once instead of waiting out the grace period. Call before Serve().
  void AddShutdownHook(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }

  // Serves until SIGTERM/SIGINT, then drains in-flight calls and returns the exit code.
  int Serve();

 private:
  std::vector<grpc_server::DependencyCheck> DependencyChecks();

  ServiceSpec spec_;
  std::string command_;
  process::ShutdownSignal shutdown_signal_;  // First member: blocks signals before any thread.
  config::ProcessEnv env_;
  config::ConfigReader config_;
  // Common settings, read in the constructor.
  std::string log_level_;
  grpc_server::GrpcServerOptions server_options_;
  std::string admin_listen_;
  pg::PoolOptions pool_options_;
  std::string redis_url_;
  authn::TokenVerificationSettings token_settings_;

  metrics::Registry metrics_;
  std::unique_ptr<pg::Pool> pool_;
  std::optional<redis::RedisEndpoint> redis_;
  std::unique_ptr<grpc_server::GrpcServer> server_;
  ids::SystemClock clock_;
  std::unique_ptr<authn::TokenVerification> token_verification_;
  std::vector<grpc_server::DependencyCheck> extra_checks_;
  std::vector<std::function<void()>> shutdown_hooks_;
};

}  // namespace chatter::service
