// One simulated user's WebSocket: connects, checks the `ready` frame, then reads every frame on
// its strand and reports it to a ConnectionObserver; Send() queues frames for writing.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "tools/loadgen/asio_coro.h"
#include "tools/loadgen/connection_observer.h"

namespace chatter::loadgen {

struct WsConnectionParams {
  int index = 0;
  boost::asio::ip::tcp::resolver::results_type endpoints;
  std::string host_header;
  std::string target;  // "/ws?access_token=...&room_id=..."
  std::string room_id;
  absl::Duration handshake_timeout = absl::Seconds(10);
  size_t max_queued_frames = 1024;
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
  enum class Phase { kConnecting, kOpen, kClosing, kEnded };
  struct Outgoing {
    uint64_t message_id;
    std::string frame;
  };

  net::awaitable<void> Run();
  // Connects, upgrades and reads `ready`; an empty string means ready, else the failure.
  net::awaitable<std::string> Open();
  void Enqueue(Outgoing outgoing);
  void WriteNext();
  void OnWritten(boost::system::error_code ec);
  void CloseNow();

  net::any_io_executor strand_;
  const WsConnectionParams params_;
  ConnectionObserver& observer_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  Phase phase_ = Phase::kConnecting;
  bool close_requested_ = false;
  bool writing_ = false;
  std::deque<Outgoing> outbox_;
  std::atomic<bool> finished_{false};
};

}  // namespace chatter::loadgen
