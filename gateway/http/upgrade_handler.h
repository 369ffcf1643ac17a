// The seam through which the HTTP server hands a connection over to another protocol (the
// WebSocket endpoint): the parsed request and the socket, before any response is written.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <string>

#include "gateway/http/http_types.h"

namespace chatter::gateway {

class UpgradeHandler {
 public:
  virtual ~UpgradeHandler() = default;
  // True for requests this handler takes over; called on the connection's strand.
  virtual bool Wants(const HttpRequest& request) const = 0;
  // Takes the connection; the HTTP server forgets it. `stream`'s executor is its strand.
  virtual void Upgrade(boost::beast::tcp_stream stream, HttpRequest request,
                       std::string client_ip) = 0;
  // Connections taken over and still open: they count against the server's connection cap.
  virtual int open_connections() const = 0;
};

}  // namespace chatter::gateway
