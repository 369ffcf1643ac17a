// Checks a service's dependencies (PostgreSQL, Redis, ...) on its own thread and publishes the
// result through the gRPC health service: "" and every service name turn NOT_SERVING when any
// dependency fails, and each dependency has its own entry (e.g. "postgres") naming the culprit.
#pragma once

#include <grpcpp/health_check_service_interface.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace chatter::grpc_server {

struct DependencyCheck {
  std::string name;  // Health service name of the dependency, e.g. "postgres".
  std::function<absl::Status()> check;
};

struct Readiness {
  bool ready = false;
  std::string detail;  // "ok", or e.g. "postgres: connection refused".
};

class ReadinessMonitor {
 public:
  ReadinessMonitor(std::vector<DependencyCheck> checks, absl::Duration interval);
  ~ReadinessMonitor();

  // Runs the checks once, publishes to `health` (may be null), then keeps checking.
  void Start(grpc::HealthCheckServiceInterface* health);
  void Stop();
  // Runs every check now and publishes the result.
  Readiness CheckNow();
  Readiness Current() const;

 private:
  void Loop();

  std::vector<DependencyCheck> checks_;
  absl::Duration interval_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  mutable absl::Mutex mutex_;
  Readiness current_ ABSL_GUARDED_BY(mutex_);
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace chatter::grpc_server
