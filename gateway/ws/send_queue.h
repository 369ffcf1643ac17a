// A session's outgoing frames, bounded in bytes: frames are shared buffers, so a slow client
// costs its queue's pointers, and the byte bound says when it is too slow to keep.
#pragma once

#include <cstddef>
#include <deque>

#include "gateway/ws/frame_codec.h"

namespace chatter::gateway {

class SendQueue {
 public:
  explicit SendQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // False (and nothing queued) when the frame would take the queue past its bound. An empty
  // queue takes any one frame, so a single large frame can never wedge a session.
  bool Push(Frame frame);
  // Whether Push would take a frame of `bytes` now.
  bool Fits(size_t bytes) const { return frames_.empty() || bytes_ + bytes <= max_bytes_; }
  bool empty() const { return frames_.empty(); }
  size_t size() const { return frames_.size(); }
  size_t bytes() const { return bytes_; }
  size_t max_bytes() const { return max_bytes_; }
  // The oldest frame; the queue must not be empty.
  const Frame& front() const { return frames_.front(); }
  void Pop();
  void Clear();

 private:
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<Frame> frames_;
};

}  // namespace chatter::gateway
