// The admin HTTP endpoint every process runs: /metrics for Prometheus, /healthz and /readyz for
// the orchestrator. Small and separate from the public listener so it stays up under load.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "libs/metrics/registry.h"

namespace chatter::metrics {

struct ReadinessReport {
  bool ready;
  std::string detail;  // Shown in the 503 body: what is not ready yet.
};

// Serves, for GET and HEAD only (405 otherwise):
//   /metrics  200, the registry in text format 0.0.4
//   /healthz  200 "ok": the process runs and its event loop answers
//   /readyz   200 "ready", or 503 with the report's detail
// and 404 for any other path. Runs its own io_context on one thread; all I/O is asynchronous,
// headers are limited to 8 KiB and every read or write must finish within 10 s, so a slow or
// hostile client cannot hold the thread.
class AdminServer {
 public:
  // `readiness` runs on the server's thread for each /readyz; keep it quick and non-blocking
  // (read flags that other components keep current). `registry` must outlive the server.
  AdminServer(std::string listen_host_port, const Registry& registry,
              std::function<ReadinessReport()> readiness);
  ~AdminServer();  // Stops.
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. INVALID_ARGUMENT for a malformed address, UNAVAILABLE when the
  // socket cannot be opened or bound (port in use), FAILED_PRECONDITION when already running.
  absl::Status Start();

  // The bound port (the chosen one when the address said port 0); 0 before Start.
  int port() const { return port_; }

  // Closes the listener and every open connection, then joins the thread. Idempotent.
  void Stop();

 private:
  struct Running;  // The io_context, acceptor and thread of a started server.

  const std::string listen_host_port_;
  const Registry& registry_;
  const std::function<ReadinessReport()> readiness_;
  int port_ = 0;
  std::unique_ptr<Running> running_;
};

}  // namespace chatter::metrics
