// One simulated user's WebSocket: connects, checks the `ready` frame, then reads every frame on
// its strand and reports it to a ConnectionObserver; Send() queues frames for writing.
//
// Cut off with a close code a client comes back after (1012 restarting, 1013, 1001, or no close
// frame), it behaves like a careful client: reconnects with jittered backoff, subscribes its
// room again with since_seq (the newest seq it accounted for), and sends again every
// send_message not answered yet, with the same client_msg_id, so the server keeps one copy.
// Sends made meanwhile wait in its queue.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "tools/loadgen/asio_coro.h"
#include "tools/loadgen/connection_observer.h"
#include "tools/loadgen/reconnect_policy.h"

namespace chatter::loadgen {

struct WsConnectionParams {
  int index = 0;
  boost::asio::ip::tcp::resolver::results_type endpoints;
  // Bound before connecting (127.0.0.x), so many connections fit the ephemeral ports.
  std::optional<boost::asio::ip::address> source_address;
  std::string host_header;
  std::string target;         // "/ws?access_token=...&room_id=..."
  std::string resume_target;  // "/ws?access_token=..." (the room comes with since_seq)
  std::string room_id;
  absl::Duration handshake_timeout = absl::Seconds(10);
  size_t max_queued_frames = 1024;  // Sends not answered yet, written or waiting.
  ReconnectPolicy reconnect;
  uint64_t seed = 1;  // Of the backoff jitter.
};

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  // `strand` serialises everything this connection does.
  WsConnection(net::any_io_executor strand, WsConnectionParams params,
               ConnectionObserver& observer);

  void Start();
  // Thread-safe. Queues `frame` (message `message_id`); failures reach OnSendFailed.
  void Send(uint64_t message_id, std::string frame);
  // Thread-safe. A graceful close (1000) once queued frames are written; a connection still
  // connecting is simply dropped.
  void Close();
  // The read loop has ended (the observer has been told how).
  bool finished() const { return finished_.load(); }

 private:
  // kResuming: cut off, waiting to reconnect or reconnecting; sends wait.
  enum class Phase { kConnecting, kOpen, kResuming, kClosing, kEnded };
  using Stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  struct Ended {
    int code = 0;  // Of the close frame; 0 without one.
    std::string reason;
  };

  net::awaitable<void> Run();
  // Connects to `target`, upgrades and reads `ready` (which must list the room unless
  // `resuming`); an empty string means ready, else the failure.
  net::awaitable<std::string> Open(const std::string& target, bool resuming);
  // Reads and reports frames until the connection ends.
  net::awaitable<Ended> ReadUntilEnd();
  // Reconnects until the room is subscribed again from ResumeSeq (true), or the policy gives
  // up or Close() is called (false, `failure` says why).
  net::awaitable<bool> Resume(std::string& failure);
  // Passes a frame on; the answer to a send_message ends the wait for it.
  void Report(const std::string& text, int64_t receive_ns);
  void Enqueue(uint64_t message_id, std::string frame);
  void WriteNext();
  void OnWritten(boost::system::error_code ec);
  // Fails every send still waiting for its answer (the connection is gone for good).
  void FailUnanswered(const std::string& reason);
  void CloseNow();

  net::any_io_executor strand_;
  const WsConnectionParams params_;
  ConnectionObserver& observer_;
  std::optional<Stream> ws_;  // A new one per connection attempt.
  boost::beast::flat_buffer buffer_;
  net::steady_timer backoff_timer_;
  std::mt19937_64 random_;
  Phase phase_ = Phase::kConnecting;
  bool close_requested_ = false;
  bool writing_ = false;
  uint64_t stream_generation_ = 0;  // Which ws_ a write completion belongs to.
  // Every send not answered yet, by message id (so in send order); outbox_ holds the ids of
  // those not written on the current connection yet.
  std::map<uint64_t, std::string> unanswered_;
  std::deque<uint64_t> outbox_;
  std::atomic<bool> finished_{false};
};

}  // namespace chatter::loadgen
