// ServiceTokenKeeper: a loop around the blocking ServiceTokenSource::Token().
#include "gateway/backends/service_token_keeper.h"

#include <string>

#include "libs/log/log.h"

namespace chatter::gateway {

ServiceTokenKeeper::ServiceTokenKeeper(authn::ServiceTokenSource& source,
                                       absl::Duration check_interval, absl::Duration retry_interval)
    : source_(source), check_interval_(check_interval), retry_interval_(retry_interval) {}

ServiceTokenKeeper::~ServiceTokenKeeper() { Stop(); }

void ServiceTokenKeeper::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void ServiceTokenKeeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceTokenKeeper::Run() {
  bool failing = false;
  while (true) {
    absl::StatusOr<std::string> token = source_.Token();  // May wait for auth-svc: our thread.
    if (!token.ok() && !failing) {
      log::Warn("cannot obtain a service token from auth-svc; retrying",
                {{"error", std::string(token.status().message())}});
    } else if (token.ok() && failing) {
      log::Info("service token obtained from auth-svc");
    }
    failing = !token.ok();
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, absl::ToChronoNanoseconds(failing ? retry_interval_ : check_interval_),
                   [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace chatter::gateway
