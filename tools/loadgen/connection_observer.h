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
  // process asked for the close. After OnInterrupted it means the session gave up coming back.
  virtual void OnClosed(int connection, int close_code, const std::string& reason,
                        bool requested) = 0;
  // A ready connection was cut off with a close code a client comes back after (0: no close
  // frame); it reconnects and resumes its room. It stays a member owed every message meanwhile.
  virtual void OnInterrupted(int connection, int close_code) = 0;
  // The reconnected session's subscribe with since_seq was accepted.
  virtual void OnResumed(int connection) = 0;
  // The since_seq a reconnect resumes from: the newest seq the connection has accounted for.
  virtual int64_t ResumeSeq(int connection) const = 0;
};

}  // namespace chatter::loadgen
