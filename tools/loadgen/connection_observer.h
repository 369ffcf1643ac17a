// What a WebSocket connection reports about itself; the seam between the Beast transport
// (ws_connection) and the bookkeeping (run_recorder), so the latter is tested without sockets.
#pragma once

#include <cstdint>
#include <string>

#include "tools/loadgen/frames.h"

namespace chatter::loadgen {

// Called from the connection's strand; implementations must be thread-safe across connections.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;

  // The `ready` frame lists the connection's room as subscribed.
  virtual void OnReady(int connection) = 0;
  // The connection never became ready (connect, handshake, refusal, bad first frame).
  virtual void OnConnectFailed(int connection, const std::string& reason) = 0;
  // Any frame after `ready`.
  virtual void OnFrame(int connection, const ServerFrame& frame, int64_t receive_ns) = 0;
  // A send_message frame could not be written (or queued) on the connection.
  virtual void OnSendFailed(int connection, uint64_t message_id, const std::string& reason) = 0;
  // A ready connection ended. `close_code` is 0 without a close frame; `requested` when this
  // process asked for the close.
  virtual void OnClosed(int connection, int close_code, const std::string& reason,
                        bool requested) = 0;
};

}  // namespace chatter::loadgen
