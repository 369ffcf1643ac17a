// The gateway's HTTP transport on Boost.Beast: accepts connections (up to a cap), reads each
// request's header and body within their own size and time limits, hands requests to the
// Dispatcher and writes responses back, with keep-alive.
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
  // The request line and headers must arrive within this (slow-loris guard), counted from the
  // connection's start, or on a kept-alive connection from the next request's first byte.
  // Beyond it: 408 when part of a request came, else the connection is just closed.
  absl::Duration header_timeout = absl::Seconds(10);
  // The whole body must arrive within this once the header is in (slow-body guard); 408 beyond.
  absl::Duration body_timeout = absl::Seconds(15);
  // A response (and a 100 Continue) must be written within this, or the connection is cut.
  absl::Duration write_timeout = absl::Seconds(15);
  // A kept-alive connection on which no next request starts within this is closed.
  absl::Duration keep_alive_idle_timeout = absl::Seconds(60);
  // Open connections (HTTP and upgraded) at which new ones are answered 503 and closed.
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
  int requests_in_flight() const { return counts_->in_flight.load(); }
  // HTTP connections, not counting upgraded ones.
  int open_connections() const { return counts_->connections.load(); }

 private:
  class Session;
  void Accept();
  // Answers a connection over the cap with 503 without reading its request, then closes it.
  void Refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  Dispatcher& dispatcher_;
  UpgradeHandler* upgrades_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  // Shared with the sessions: a session whose last handler is destroyed only with the
  // io_context (after this server, on shutdown) must not touch the server.
  struct Counts {
    std::atomic<int> in_flight{0};
    std::atomic<int> connections{0};
  };
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
  std::atomic<int> refusals_{0};  // Refusals being written (bounded, see Refuse).
};

}  // namespace chatter::gateway
