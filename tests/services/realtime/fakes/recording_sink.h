// A FrameSink that keeps what it is sent (and how it was closed), for tests of fan-out and
// presence. Thread-safe: bus and worker threads send while the test reads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "services/realtime/domain/frame_sink.h"

namespace chatter::realtime {

class RecordingSink final : public FrameSink {
 public:
  bool Send(std::shared_ptr<const v1::RealtimeFrame> frame) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    frames_.push_back(std::move(frame));
    return true;
  }
  bool SendIfRoom(std::shared_ptr<const v1::RealtimeFrame> frame) override {
    return Send(std::move(frame));
  }
  void Close(const absl::Status& status) override {
    std::lock_guard lock(mu_);
    if (!closed_) closed_ = status;
  }

  std::vector<std::shared_ptr<const v1::RealtimeFrame>> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::optional<absl::Status> closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const v1::RealtimeFrame>> frames_;
  std::optional<absl::Status> closed_;
};

}  // namespace chatter::realtime
