// TcpProxy: forwards 127.0.0.1:<port> to a target host:port on its own thread, and can cut every
// connection on demand, so a test can make "PostgreSQL went down" happen to one stack without
// touching the shared test cluster.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace chatter::e2e {

class TcpProxy {
 public:
  // Listens on 127.0.0.1, port chosen by the kernel, and forwards every accepted connection to
  // `target_host:target_port` (resolved once, here).
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(const std::string& target_host,
                                                         int target_port);
  // Closes the listener and every connection, and joins the thread.
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:<port>"

  // Closes every open connection (both sides) and from now on accepts new connections only to
  // close them at once, as a dead server behind a live load balancer would look. Returns when
  // every connection is closed.
  void Cut();
  // Forwards new connections again (the ones closed by Cut() stay closed).
  void Restore();

  // Connections accepted and forwarded since Start() (not counting those closed by a cut).
  int forwarded_connections() const { return forwarded_.load(); }

 private:
  class Impl;
  explicit TcpProxy(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<int> forwarded_{0};
};

}  // namespace chatter::e2e
