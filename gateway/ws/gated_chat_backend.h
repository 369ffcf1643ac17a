// GatedChatBackend: the sessions' chat-svc calls through one CallGate, so a burst of them (every
// session of a restarted gateway coming back at once) queues here instead of exhausting
// chat-svc's thread pool. Every `done` still runs exactly once: with the answer, or with
// RESOURCE_EXHAUSTED (and a retry hint) when the queue is full.
#pragma once

#include <memory>
#include <utility>

#include "gateway/ws/call_gate.h"
#include "gateway/ws/chat_backend.h"

namespace chatter::gateway {

class GatedChatBackend final : public ChatBackend {
 public:
  // `inner` must outlive this.
  GatedChatBackend(ChatBackend& inner, CallGate::Options options) : inner_(inner), gate_(options) {}

  void CheckRoomAccess(const std::string& request_id, const std::string& user_id,
                       const std::vector<std::string>& rooms,
                       Done<chat::v1::CheckRoomAccessResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::CheckRoomAccessResponse> gated) {
      inner_.CheckRoomAccess(request_id, user_id, rooms, std::move(gated));
    });
  }
  void ListMessagesSince(const std::string& request_id,
                         const chat::v1::ListMessagesSinceRequest& request,
                         Done<chat::v1::ListMessagesSinceResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::ListMessagesSinceResponse> gated) {
      inner_.ListMessagesSince(request_id, request, std::move(gated));
    });
  }
  void SendMessage(const UserCallContext& user, const chat::v1::SendMessageRequest& request,
                   Done<chat::v1::SendMessageResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::SendMessageResponse> gated) {
      inner_.SendMessage(user, request, std::move(gated));
    });
  }
  void EditMessage(const UserCallContext& user, const chat::v1::EditMessageRequest& request,
                   Done<chat::v1::EditMessageResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::EditMessageResponse> gated) {
      inner_.EditMessage(user, request, std::move(gated));
    });
  }
  void DeleteMessage(const UserCallContext& user, const chat::v1::DeleteMessageRequest& request,
                     Done<chat::v1::DeleteMessageResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::DeleteMessageResponse> gated) {
      inner_.DeleteMessage(user, request, std::move(gated));
    });
  }
  void MarkRead(const UserCallContext& user, const chat::v1::MarkReadRequest& request,
                Done<chat::v1::MarkReadResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::MarkReadResponse> gated) {
      inner_.MarkRead(user, request, std::move(gated));
    });
  }
  void MarkDelivered(const UserCallContext& user, const chat::v1::MarkDeliveredRequest& request,
                     Done<chat::v1::MarkDeliveredResponse> done) override {
    Gated(std::move(done), [=, this](Done<chat::v1::MarkDeliveredResponse> gated) {
      inner_.MarkDelivered(user, request, std::move(gated));
    });
  }

  const CallGate& gate() const { return gate_; }

 private:
  // Runs `call` with a `done` that frees the gate's slot before answering.
  template <typename T, typename Call>
  void Gated(Done<T> done, Call call) {
    auto answer = std::make_shared<Done<T>>(std::move(done));
    gate_.Enter(
        [answer, call = std::move(call)](CallGate::Release release) mutable {
          call([answer, release = std::move(release)](absl::StatusOr<T> result) {
            release();
            (*answer)(std::move(result));
          });
        },
        [answer](absl::Status refused) { (*answer)(std::move(refused)); });
  }

  ChatBackend& inner_;
  CallGate gate_;
};

}  // namespace chatter::gateway
