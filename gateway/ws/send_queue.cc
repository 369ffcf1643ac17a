// SendQueue: a deque of shared frames with their headers and a running byte count.
#include "gateway/ws/send_queue.h"

namespace chatter::gateway {

bool SendQueue::Push(Frame frame, WsOpcode opcode) {
  if (!Fits(frame->size())) return false;
  bytes_ += frame->size();
  WsFrameHeader header = ServerFrameHeader(opcode, frame->size());
  frames_.push_back({std::move(frame), header});
  return true;
}

void SendQueue::PushControl(Frame payload, WsOpcode opcode) {
  bytes_ += payload->size();
  WsFrameHeader header = ServerFrameHeader(opcode, payload->size());
  frames_.push_back({std::move(payload), header});
}

SendQueue::Entry SendQueue::Pop() {
  Entry entry = std::move(frames_.front());
  frames_.pop_front();
  if (frames_.empty()) frames_.shrink_to_fit();
  bytes_ -= entry.payload->size();
  return entry;
}

void SendQueue::Clear() {
  frames_.clear();
  frames_.shrink_to_fit();
  bytes_ = 0;
}

}  // namespace chatter::gateway
