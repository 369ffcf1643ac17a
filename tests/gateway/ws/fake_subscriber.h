// A Subscriber that records what it is handed, synchronously, for room index and fan-out tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gateway/ws/subscriber.h"

namespace chatter::gateway::testing {

class FakeSubscriber final : public Subscriber {
 public:
  FakeSubscriber(std::string session_id, std::string user_id)
      : session_id_(std::move(session_id)), user_id_(std::move(user_id)) {}

  const std::string& session_id() const override { return session_id_; }
  const std::string& user_id() const override { return user_id_; }
  void DeliverRoomEvent(std::shared_ptr<const RoomDelivery> delivery) override {
    std::lock_guard lock(mu_);
    rooms_.push_back(std::move(delivery));
  }
  void DeliverFrame(Frame frame) override {
    std::lock_guard lock(mu_);
    frames_.push_back(std::move(frame));
  }
  void RevokeRoom(const std::string& room_id) override {
    std::lock_guard lock(mu_);
    revoked_.push_back(room_id);
  }
  void Disconnect(uint16_t code, std::string reason) override {
    std::lock_guard lock(mu_);
    disconnects_.emplace_back(code, std::move(reason));
  }

  std::vector<std::shared_ptr<const RoomDelivery>> rooms() {
    std::lock_guard lock(mu_);
    return rooms_;
  }
  // Frames outside rooms (presence, notifications), in delivery order.
  std::vector<Frame> frames() {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::vector<std::string> revoked() {
    std::lock_guard lock(mu_);
    return revoked_;
  }
  std::vector<std::pair<uint16_t, std::string>> disconnects() {
    std::lock_guard lock(mu_);
    return disconnects_;
  }

 private:
  const std::string session_id_;
  const std::string user_id_;
  std::mutex mu_;
  std::vector<std::shared_ptr<const RoomDelivery>> rooms_;
  std::vector<Frame> frames_;
  std::vector<std::string> revoked_;
  std::vector<std::pair<uint16_t, std::string>> disconnects_;
};

inline std::shared_ptr<FakeSubscriber> MakeSubscriber(std::string session_id, std::string user_id) {
  return std::make_shared<FakeSubscriber>(std::move(session_id), std::move(user_id));
}

}  // namespace chatter::gateway::testing
