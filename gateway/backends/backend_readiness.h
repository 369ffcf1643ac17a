// /readyz: asks every backend service over the standard gRPC health protocol, concurrently and
// without blocking, whether it serves, and which of its dependencies (PostgreSQL, Redis) fail.
#pragma once

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace chatter::gateway {

struct Backend {
  std::string name;  // "auth-svc"
  std::shared_ptr<grpc::Channel> channel;
  // Optional: a problem of this gateway's own with the backend while its health check says
  // serving (e.g. "no stream" while the realtime-svc Connect stream is down); "" when none.
  // Must be quick and non-blocking.
  std::function<std::string()> local_problem;
};

struct BackendStatus {
  std::string name;
  bool serving = false;
  std::string problem;                            // "unreachable", "not serving", ...
  std::vector<std::string> failing_dependencies;  // e.g. {"postgres"}
};

struct ReadinessReport {
  bool ready = false;
  std::vector<BackendStatus> backends;
  // {"status":"ready"|"unavailable","backends":{"auth-svc":{"status":..,"failing":[..]}}}
  std::string ToJson() const;
};

class BackendReadiness {
 public:
  // Dependency health entries the services publish (see libs/grpc_server/readiness_monitor.h).
  static const std::vector<std::string>& DependencyNames();

  BackendReadiness(std::vector<Backend> backends, absl::Duration timeout);

  // Checks every backend concurrently; `done` runs once, on a gRPC thread, with the report.
  void Check(std::function<void(ReadinessReport)> done) const;

 private:
  std::vector<Backend> backends_;
  absl::Duration timeout_;
};

}  // namespace chatter::gateway
