// The gateway's HTTP transport on Boost.Beast: accepts connections, reads requests within size
// and time limits, hands them to the Dispatcher and writes responses back, with keep-alive.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/upgrade_handler.h"

namespace chatter::gateway {

struct HttpServerOptions {
  std::string listen_address = "127.0.0.1:8080";
  size_t max_body_bytes = 64 * 1024;
  uint32_t max_header_bytes = 16 * 1024;
  // A request must arrive completely within this time (slow-loris guard).
  absl::Duration request_read_timeout = absl::Seconds(15);
  // An idle keep-alive connection is closed after this time.
  absl::Duration keep_alive_idle_timeout = absl::Seconds(60);
  int max_connections = 10000;
};

class HttpServer {
 public:
  // `upgrades` (optional) takes over requests it wants (GET /ws) instead of the dispatcher.
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Dispatcher& dispatcher,
             UpgradeHandler* upgrades = nullptr);
  ~HttpServer();

  absl::Status Start();
  int port() const { return port_; }
  // Closes the listening socket; open connections finish their current request.
  void StopAccepting();
  // Requests being handled right now (for draining on shutdown); upgraded connections are not
  // requests.
  int requests_in_flight() const { return in_flight_.load(); }
  // HTTP connections, not counting upgraded ones.
  int open_connections() const { return connections_.load(); }

 private:
  class Session;
  void Accept();

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  Dispatcher& dispatcher_;
  UpgradeHandler* upgrades_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<int> in_flight_{0};
  std::atomic<int> connections_{0};
};

}  // namespace chatter::gateway
