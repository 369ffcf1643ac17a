// A session's outgoing frames, bounded in bytes: payloads are shared buffers, so a slow client
// costs its queue's pointers (and each frame's header of at most 10 bytes), and the byte bound
// says when it is too slow to keep.
#pragma once

#include <boost/container/deque.hpp>
#include <cstddef>

#include "gateway/ws/frame_codec.h"
#include "gateway/ws/ws_wire.h"

namespace chatter::gateway {

class SendQueue {
 public:
  // One frame as it goes on the wire: its header, then the shared payload.
  struct Entry {
    Frame payload;
    WsFrameHeader header;
    size_t wire_size() const { return header.size + payload->size(); }
  };

  explicit SendQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // False (and nothing queued) when the frame would take the queue past its bound. An empty
  // queue takes any one frame, so a single large frame can never wedge a session.
  bool Push(Frame frame, WsOpcode opcode = WsOpcode::kText);
  // A control frame (pong, close): at most 125 bytes, never refused.
  void PushControl(Frame payload, WsOpcode opcode);
  // Whether Push would take a frame of `bytes` now.
  bool Fits(size_t bytes) const { return frames_.empty() || bytes_ + bytes <= max_bytes_; }
  bool empty() const { return frames_.empty(); }
  size_t size() const { return frames_.size(); }
  size_t bytes() const { return bytes_; }
  size_t max_bytes() const { return max_bytes_; }
  // The i-th oldest frame; i < size().
  const Entry& at(size_t i) const { return frames_[i]; }
  const Entry& front() const { return frames_.front(); }
  // Removes the oldest frame; the queue must not be empty.
  Entry Pop();
  void Clear();

 private:
  size_t max_bytes_;
  size_t bytes_ = 0;
  // Boost's deque allocates nothing while empty (std::deque holds 576 bytes from the start),
  // and an emptied queue gives its block back: an idle session's queue costs no heap.
  boost::container::deque<Entry> frames_;
};

}  // namespace chatter::gateway
