// The shared service life cycle: config -> logging -> migrations -> serve -> drain.
#include "libs/service/service_runtime.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "libs/pg/migrator.h"
#include "libs/process/mutex_tuning.h"
#include "libs/redis/redis_ping.h"

#ifndef CHATTER_VERSION
#define CHATTER_VERSION "dev"
#endif

namespace chatter::service {
namespace {

constexpr absl::Duration kReadinessInterval = absl::Seconds(1);
constexpr absl::Duration kDependencyTimeout = absl::Seconds(1);

void PrintUsage(const std::string& name) {
  std::cerr << "usage: " << name << " [migrate | --version]\n"
            << "  (no argument)  apply migrations, then serve until SIGTERM/SIGINT\n"
            << "  migrate        apply migrations and exit\n"
            << "settings come from CHATTER_* environment variables; see docs/CONFIGURATION.md\n";
}

}  // namespace

ServiceRuntime::ServiceRuntime(ServiceSpec spec, int argc, char** argv)
    : spec_(std::move(spec)), command_(argc > 1 ? argv[1] : ""), config_(env_) {
  process::UseReleaseMutexSettings();
  log_level_ =
      config_.Enum("CHATTER_LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error"});
  server_options_.listen_address =
      config_.HostPort("CHATTER_GRPC_LISTEN", spec_.default_grpc_listen);
  admin_listen_ = config_.HostPort("CHATTER_ADMIN_LISTEN", spec_.default_admin_listen);
  server_options_.shutdown_grace = config_.Millis("CHATTER_SHUTDOWN_GRACE_MS", 10000, 0, 600000);
  server_options_.max_message_bytes =
      static_cast<int>(config_.Int("CHATTER_GRPC_MAX_MESSAGE_BYTES", 4 << 20, 1024, 64 << 20));
  server_options_.keepalive_interval =
      config_.Millis("CHATTER_GRPC_KEEPALIVE_MS", 30000, 1000, 3600000);
  server_options_.max_threads = static_cast<int>(
      config_.Int("CHATTER_GRPC_MAX_THREADS", spec_.default_grpc_max_threads, 2, 1024));
  if (spec_.uses_postgres) {
    pool_options_.url = config_.PostgresUrl("CHATTER_DATABASE_URL");
    pool_options_.size = static_cast<int>(config_.Int("CHATTER_DB_POOL_SIZE", 8, 1, 256));
    pool_options_.acquire_timeout = config_.Millis("CHATTER_DB_ACQUIRE_TIMEOUT_MS", 2000, 1, 60000);
    pool_options_.prepared = spec_.prepared_statements;
  }
  if (spec_.uses_redis) redis_url_ = config_.RedisUrl("CHATTER_REDIS_URL");
  if (spec_.verifies_tokens_with_public_keys) {
    token_settings_ = authn::ReadTokenVerificationSettings(config_);
  }
}

ServiceRuntime::~ServiceRuntime() = default;

std::optional<int> ServiceRuntime::Initialize() {
  if (command_ == "--version") {
    std::cout << spec_.name << " " << CHATTER_VERSION << "\n";
    return 0;
  }
  if (!command_.empty() && command_ != "migrate" && command_ != "serve") {
    PrintUsage(spec_.name);
    return 2;
  }
  log::Init(spec_.name, log::ParseLevel(log_level_).value_or(log::Level::kInfo));
  if (spec_.uses_redis && config_.status().ok()) {
    redis_ = redis::ParseRedisUrl(redis_url_);
    if (!redis_) {
      config_.Reject("CHATTER_REDIS_URL", "must look like redis://[:password@]host:port[/db]");
    }
  }
  if (!config_.status().ok()) {
    log::Write(log::Level::kCritical, "",
               absl::StrCat("invalid configuration: ", config_.status().message()),
               log::Fields::object());
    return 2;
  }
  log::Info("starting", {{"version", CHATTER_VERSION},
                         {"command", command_.empty() ? "serve" : command_},
                         {"config", config_.Effective()}});

  if (spec_.uses_postgres) {
    pool_ = std::make_unique<pg::Pool>(pool_options_);
    metrics_.AddCallbackGauge("db_pool_connections_open", "Open database connections.", {},
                              [this] { return pool_->Stats().open; });
    metrics_.AddCallbackGauge("db_pool_connections_in_use", "Database connections lent out.", {},
                              [this] { return pool_->Stats().in_use; });
    metrics_.AddCallbackGauge("db_pool_waiting", "Callers waiting for a database connection.", {},
                              [this] { return pool_->Stats().waiting; });
    if (spec_.migrations != nullptr) {
      pg::Migrator migrator(*pool_, spec_.name);
      absl::StatusOr<int> applied = migrator.Apply(*spec_.migrations);
      if (!applied.ok()) {
        log::Write(log::Level::kCritical, "", "migrations failed",
                   {{"error", std::string(applied.status().message())}});
        return 1;
      }
      log::Info("migrations applied", {{"applied", *applied}, {"known", spec_.migrations->size()}});
    }
  }
  if (command_ == "migrate") return 0;
  if (spec_.verifies_tokens_with_public_keys) {
    auto verification = authn::TokenVerification::Create(token_settings_, clock_);
    if (!verification.ok()) {
      log::Write(log::Level::kCritical, "", "invalid configuration",
                 {{"error", std::string(verification.status().message())}});
      return 2;
    }
    token_verification_ = *std::move(verification);
  }
  server_ = std::make_unique<grpc_server::GrpcServer>(server_options_, metrics_);
  return std::nullopt;
}

std::vector<grpc_server::DependencyCheck> ServiceRuntime::DependencyChecks() {
  std::vector<grpc_server::DependencyCheck> checks;
  if (pool_) checks.push_back({"postgres", [this] { return pool_->Ping(); }});
  if (redis_) {
    checks.push_back({"redis", [this] { return redis::Ping(*redis_, kDependencyTimeout); }});
  }
  if (token_verification_) {
    checks.push_back({"auth-keys", [this] { return token_verification_->CheckKeys(); }});
  }
  for (const grpc_server::DependencyCheck& check : extra_checks_) checks.push_back(check);
  return checks;
}

int ServiceRuntime::Serve() {
  if (absl::Status started = server_->Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start gRPC server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  grpc_server::ReadinessMonitor readiness(DependencyChecks(), kReadinessInterval);
  readiness.Start(server_->health());
  metrics::AdminServer admin(admin_listen_, metrics_, [&readiness] {
    grpc_server::Readiness current = readiness.Current();
    return metrics::ReadinessReport{current.ready, current.detail};
  });
  if (absl::Status started = admin.Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start admin server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  log::Info("serving", {{"grpc_port", server_->port()}, {"admin_port", admin.port()}});

  int signal_number = shutdown_signal_.Wait();
  log::Info("shutting down",
            {{"signal", signal_number},
             {"grace_ms", absl::ToInt64Milliseconds(server_options_.shutdown_grace)}});
  readiness.Stop();
  if (!shutdown_hooks_.empty()) {
    // Not serving first, so clients that reconnect at once pick another instance.
    if (auto* health = server_->health()) health->SetServingStatus(false);
    for (const std::function<void()>& hook : shutdown_hooks_) hook();
  }
  server_->Shutdown();
  admin.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace chatter::service
