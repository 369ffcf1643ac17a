// Standard gRPC server bootstrap shared by every service: health service, reflection,
// keepalive, message size limits, per-RPC metrics and logs, and graceful shutdown.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/metrics/registry.h"

namespace chatter::grpc_server {

struct GrpcServerOptions {
  std::string listen_address = "127.0.0.1:0";
  int max_message_bytes = 4 * 1024 * 1024;
  absl::Duration keepalive_interval = absl::Seconds(30);
  // Upper bound on threads serving synchronous RPCs (libpqxx and argon2 block), so load queues
  // instead of spawning without limit.
  int max_threads = 32;
  // How long in-flight calls may finish after Shutdown() before they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(10);
};

class GrpcServer {
 public:
  GrpcServer(GrpcServerOptions options, metrics::Registry& registry);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Registers a service (not owned; must outlive the server). Call before Start().
  void AddService(grpc::Service* service);
  // Binds and starts serving; fails when the address cannot be bound.
  absl::Status Start();
  // The bound port (useful with port 0).
  int port() const { return port_; }
  // The standard grpc.health.v1 service; valid after Start().
  grpc::HealthCheckServiceInterface* health() const;
  // Reports NOT_SERVING, stops accepting calls and waits for in-flight calls up to the grace
  // period, then cancels what is left. Idempotent.
  void Shutdown();

 private:
  GrpcServerOptions options_;
  metrics::Registry& registry_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace chatter::grpc_server
