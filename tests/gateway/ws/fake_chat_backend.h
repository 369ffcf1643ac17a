// ChatBackend and RealtimeLink stand-ins for the session tests: the chat fake answers from
// settable handlers on its own thread (as gRPC would) and can hold replays until released; the
// link records what sessions report to realtime.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/ws/chat_backend.h"
#include "gateway/ws/realtime_link.h"

namespace chatter::gateway::testing {

class FakeChatBackend final : public ChatBackend {
 public:
  FakeChatBackend() : worker_([this] { Run(); }) {}
  ~FakeChatBackend() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  // Room id -> the RoomAccess answer; rooms not listed are "not_found".
  void SetAccess(const std::string& room_id, bool allowed, const std::string& code = "",
                 int64_t last_seq = 0) {
    std::lock_guard lock(mu_);
    chat::v1::RoomAccess access;
    access.set_room_id(room_id);
    access.set_allowed(allowed);
    access.set_code(code);
    access.set_last_seq(last_seq);
    access_[room_id] = access;
  }
  void SetReplay(std::function<absl::StatusOr<chat::v1::ListMessagesSinceResponse>(
                     const chat::v1::ListMessagesSinceRequest&)>
                     replay) {
    std::lock_guard lock(mu_);
    replay_ = std::move(replay);
  }
  // While held, replays wait until ReleaseReplays().
  void HoldReplays(bool hold) {
    std::lock_guard lock(mu_);
    hold_replays_ = hold;
  }
  void ReleaseReplays() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(mu_);
      hold_replays_ = false;
      held.swap(held_);
    }
    for (auto& call : held) Post(std::move(call));
  }
  int held_replays() {
    std::lock_guard lock(mu_);
    return static_cast<int>(held_.size());
  }
  void SetSend(std::function<absl::StatusOr<chat::v1::SendMessageResponse>(
                   const UserCallContext&, const chat::v1::SendMessageRequest&)>
                   send) {
    std::lock_guard lock(mu_);
    send_ = std::move(send);
  }
  std::vector<std::string> user_tokens() {
    std::lock_guard lock(mu_);
    return user_tokens_;
  }

  void CheckRoomAccess(const std::string& /*request_id*/, const std::string& user_id,
                       const std::vector<std::string>& rooms,
                       Done<chat::v1::CheckRoomAccessResponse> done) override {
    chat::v1::CheckRoomAccessResponse response;
    {
      std::lock_guard lock(mu_);
      (void)user_id;
      for (const std::string& room : rooms) {
        auto found = access_.find(room);
        if (found != access_.end()) {
          *response.add_results() = found->second;
        } else {
          auto* refused = response.add_results();
          refused->set_room_id(room);
          refused->set_code("not_found");
        }
      }
    }
    Post([done, response] { done(response); });
  }

  void ListMessagesSince(const std::string& /*request_id*/,
                         const chat::v1::ListMessagesSinceRequest& request,
                         Done<chat::v1::ListMessagesSinceResponse> done) override {
    std::lock_guard lock(mu_);
    auto replay = replay_;
    std::function<void()> call = [done, replay, request] {
      if (!replay) return done(absl::UnimplementedError("no replay set"));
      done(replay(request));
    };
    if (hold_replays_) {
      held_.push_back(std::move(call));
      return;
    }
    PostLocked(std::move(call));
  }

  void SendMessage(const UserCallContext& user, const chat::v1::SendMessageRequest& request,
                   Done<chat::v1::SendMessageResponse> done) override {
    std::lock_guard lock(mu_);
    user_tokens_.push_back(user.access_token);
    auto send = send_;
    PostLocked([done, send, user, request] {
      if (!send) return done(absl::UnimplementedError("no send set"));
      done(send(user, request));
    });
  }
  void EditMessage(const UserCallContext& user, const chat::v1::EditMessageRequest&,
                   Done<chat::v1::EditMessageResponse> done) override {
    Record(user);
    Post([done] { done(absl::FailedPreconditionError("message deleted")); });
  }
  void DeleteMessage(const UserCallContext& user, const chat::v1::DeleteMessageRequest&,
                     Done<chat::v1::DeleteMessageResponse> done) override {
    Record(user);
    Post([done] { done(chat::v1::DeleteMessageResponse()); });
  }
  void MarkRead(const UserCallContext& user, const chat::v1::MarkReadRequest& request,
                Done<chat::v1::MarkReadResponse> done) override {
    Record(user);
    chat::v1::MarkReadResponse response;
    response.set_read_seq(request.seq() + 1);
    Post([done, response] { done(response); });
  }
  void MarkDelivered(const UserCallContext& user, const chat::v1::MarkDeliveredRequest&,
                     Done<chat::v1::MarkDeliveredResponse> done) override {
    Record(user);
    Post([done] { done(chat::v1::MarkDeliveredResponse()); });
  }

 private:
  void Record(const UserCallContext& user) {
    std::lock_guard lock(mu_);
    user_tokens_.push_back(user.access_token);
  }
  void Post(std::function<void()> call) {
    std::lock_guard lock(mu_);
    PostLocked(std::move(call));
  }
  void PostLocked(std::function<void()> call) {
    queue_.push_back(std::move(call));
    wake_.notify_all();
  }
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto call = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      call();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<std::function<void()>> queue_;
  std::map<std::string, chat::v1::RoomAccess> access_;
  std::function<absl::StatusOr<chat::v1::ListMessagesSinceResponse>(
      const chat::v1::ListMessagesSinceRequest&)>
      replay_;
  bool hold_replays_ = false;
  std::vector<std::function<void()>> held_;
  std::function<absl::StatusOr<chat::v1::SendMessageResponse>(const UserCallContext&,
                                                              const chat::v1::SendMessageRequest&)>
      send_;
  std::vector<std::string> user_tokens_;
  std::thread worker_;
};

class RecordingRealtimeLink final : public RealtimeLink {
 public:
  void SessionOpened(const SessionInfo& session) override {
    Add(absl::StrCat("opened ", session.session_id, " ", session.user_id, " ", session.username));
  }
  void SessionClosed(const std::string& session_id) override {
    Add(absl::StrCat("closed ", session_id));
  }
  void Subscribe(const std::string& room_id, const std::string& session_id) override {
    Add(absl::StrCat("subscribe ", room_id, " ", session_id));
  }
  void Unsubscribe(const std::string& room_id, const std::string& session_id) override {
    Add(absl::StrCat("unsubscribe ", room_id, " ", session_id));
  }
  void Typing(const std::string& session_id, const realtime::v1::Typing& typing) override {
    Add(absl::StrCat("typing ", session_id, " ", typing.room_id(), " ", typing.user_id(), " ",
                     typing.username(), " ", typing.started() ? "start" : "stop"));
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  void Add(std::string call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace chatter::gateway::testing
