// Non-blocking readiness checks over grpc.health.v1.
#include "gateway/backends/backend_readiness.h"

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "grpc/health/v1/health.grpc.pb.h"

namespace chatter::gateway {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Check call; kept alive until its callback has run.
struct HealthCall {
  std::shared_ptr<Health::Stub> stub;
  grpc::ClientContext context;
  HealthCheckRequest request;
  HealthCheckResponse response;
};

// Collects the answers of every call and reports when the last one is in.
struct Collector {
  std::mutex mutex;
  ReadinessReport report;
  std::atomic<int> pending{0};
  std::function<void(ReadinessReport)> done;

  void Complete() {
    if (--pending != 0) return;
    report.ready = true;
    for (const BackendStatus& backend : report.backends) report.ready &= backend.serving;
    done(std::move(report));
  }
};

}  // namespace

const std::vector<std::string>& BackendReadiness::DependencyNames() {
  static const std::vector<std::string> kNames = {"postgres", "redis"};
  return kNames;
}

BackendReadiness::BackendReadiness(std::vector<Backend> backends, absl::Duration timeout)
    : backends_(std::move(backends)), timeout_(timeout) {}

void BackendReadiness::Check(std::function<void(ReadinessReport)> done) const {
  auto collector = std::make_shared<Collector>();
  collector->done = std::move(done);
  collector->report.backends.resize(backends_.size());
  const int calls_per_backend = 1 + static_cast<int>(DependencyNames().size());
  collector->pending = static_cast<int>(backends_.size()) * calls_per_backend;
  if (backends_.empty()) {
    collector->pending = 1;
    collector->Complete();
    return;
  }
  for (size_t i = 0; i < backends_.size(); ++i) {
    collector->report.backends[i].name = backends_[i].name;
    std::shared_ptr<Health::Stub> stub = Health::NewStub(backends_[i].channel);
    for (int c = 0; c < calls_per_backend; ++c) {
      auto call = std::make_shared<HealthCall>();
      call->stub = stub;
      // c == 0 asks about the whole server; the others about one dependency each.
      std::string dependency = c == 0 ? "" : DependencyNames()[c - 1];
      call->request.set_service(dependency);
      call->context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
      call->stub->async()->Check(
          &call->context, &call->request, &call->response,
          [collector, call, i, dependency,
           local_problem = backends_[i].local_problem](grpc::Status status) mutable {
            {
              std::lock_guard lock(collector->mutex);
              BackendStatus& backend = collector->report.backends[i];
              bool serving = status.ok() && call->response.status() == HealthCheckResponse::SERVING;
              if (dependency.empty()) {
                backend.serving = serving;
                std::string local = serving && local_problem ? local_problem() : "";
                if (!local.empty()) {
                  backend.serving = false;
                  backend.problem = std::move(local);
                } else if (!status.ok()) {
                  backend.problem = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                                        ? "timed out"
                                        : "unreachable";
                } else if (!serving) {
                  backend.problem = "not serving";
                }
              } else if (status.ok() && !serving) {
                // NOT_FOUND (dependency not used by this service) is not a failure.
                backend.failing_dependencies.push_back(dependency);
              }
            }
            // The call (its context and stub, so a channel reference) goes before the report
            // may be delivered: whoever waits for the report may then drop the channel and
            // shut gRPC down without a callback thread still releasing ours.
            call.reset();
            collector->Complete();
          });
    }
  }
}

std::string ReadinessReport::ToJson() const {
  nlohmann::ordered_json body;
  body["status"] = ready ? "ready" : "unavailable";
  nlohmann::ordered_json per_backend = nlohmann::ordered_json::object();
  std::vector<std::string> failing;
  for (const BackendStatus& backend : backends) {
    nlohmann::ordered_json entry;
    entry["status"] = backend.serving ? "serving" : backend.problem;
    if (!backend.failing_dependencies.empty()) entry["failing"] = backend.failing_dependencies;
    per_backend[backend.name] = entry;
    if (!backend.serving) {
      if (backend.failing_dependencies.empty()) {
        failing.push_back(backend.name + ": " + backend.problem);
      }
      for (const auto& dependency : backend.failing_dependencies) {
        failing.push_back(backend.name + ": " + dependency + " unavailable");
      }
    }
  }
  if (!failing.empty()) body["failing"] = failing;
  body["backends"] = per_backend;
  return body.dump();
}

}  // namespace chatter::gateway
