// Dependency checks published through the gRPC health service.
#include "libs/grpc_server/readiness_monitor.h"

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::grpc_server {

ReadinessMonitor::ReadinessMonitor(std::vector<DependencyCheck> checks, absl::Duration interval)
    : checks_(std::move(checks)), interval_(interval) {}

ReadinessMonitor::~ReadinessMonitor() { Stop(); }

void ReadinessMonitor::Start(grpc::HealthCheckServiceInterface* health) {
  health_ = health;
  CheckNow();
  thread_ = std::thread([this] { Loop(); });
}

void ReadinessMonitor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ReadinessMonitor::Loop() {
  while (!stop_.WaitForNotificationWithTimeout(interval_)) CheckNow();
}

Readiness ReadinessMonitor::CheckNow() {
  Readiness result{.ready = true, .detail = "ok"};
  std::vector<std::pair<std::string, bool>> per_dependency;
  for (const DependencyCheck& dependency : checks_) {
    absl::Status status = dependency.check();
    per_dependency.emplace_back(dependency.name, status.ok());
    if (!status.ok()) {
      if (result.ready) result.detail.clear();
      absl::StrAppend(&result.detail, result.detail.empty() ? "" : "; ", dependency.name, ": ",
                      status.message());
      result.ready = false;
    }
  }
  if (health_ != nullptr) {
    // The bulk call covers "" and every service; per-dependency entries come after it.
    health_->SetServingStatus(result.ready);
    for (const auto& [name, ok] : per_dependency) health_->SetServingStatus(name, ok);
  }
  absl::MutexLock lock(&mutex_);
  if (result.ready != current_.ready || result.detail != current_.detail) {
    log::Write(result.ready ? log::Level::kInfo : log::Level::kWarn, "", "readiness changed",
               {{"ready", result.ready}, {"detail", result.detail}});
  }
  current_ = result;
  return result;
}

Readiness ReadinessMonitor::Current() const {
  absl::MutexLock lock(&mutex_);
  return current_;
}

}  // namespace chatter::grpc_server
