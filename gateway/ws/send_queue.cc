// SendQueue: a deque of shared frames with a running byte count.
#include "gateway/ws/send_queue.h"

namespace chatter::gateway {

bool SendQueue::Push(Frame frame) {
  if (!Fits(frame->size())) return false;
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
  return true;
}

void SendQueue::Pop() {
  bytes_ -= frames_.front()->size();
  frames_.pop_front();
}

void SendQueue::Clear() {
  frames_.clear();
  bytes_ = 0;
}

}  // namespace chatter::gateway
