// The chat-svc calls behind the WebSocket events, asynchronous so no event loop ever waits:
// user actions carry the user's own token (chat-svc authorizes and publishes exactly as for
// REST); access checks and replays use the gateway's service token.
#pragma once

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "libs/grpc_client/caller_metadata.h"
#include "libs/grpc_client/in_flight_calls.h"

namespace chatter::gateway {

// Who a user call is made for: forwarded as metadata like the REST path does, with the user's
// token, so chat-svc authorizes it as it does the REST routes.
using UserCallContext = grpc_client::CallerMetadata;

template <typename T>
using Done = std::function<void(absl::StatusOr<T>)>;

// Every `done` runs exactly once, on a gRPC thread (inline only when the call cannot start).
// `request_id` (the session's) goes to chat-svc as x-request-id, as UserCallContext's does.
class ChatBackend {
 public:
  virtual ~ChatBackend() = default;

  virtual void CheckRoomAccess(const std::string& request_id, const std::string& user_id,
                               const std::vector<std::string>& rooms,
                               Done<chat::v1::CheckRoomAccessResponse> done) = 0;
  virtual void ListMessagesSince(const std::string& request_id,
                                 const chat::v1::ListMessagesSinceRequest& request,
                                 Done<chat::v1::ListMessagesSinceResponse> done) = 0;

  virtual void SendMessage(const UserCallContext& user, const chat::v1::SendMessageRequest& request,
                           Done<chat::v1::SendMessageResponse> done) = 0;
  virtual void EditMessage(const UserCallContext& user, const chat::v1::EditMessageRequest& request,
                           Done<chat::v1::EditMessageResponse> done) = 0;
  virtual void DeleteMessage(const UserCallContext& user,
                             const chat::v1::DeleteMessageRequest& request,
                             Done<chat::v1::DeleteMessageResponse> done) = 0;
  virtual void MarkRead(const UserCallContext& user, const chat::v1::MarkReadRequest& request,
                        Done<chat::v1::MarkReadResponse> done) = 0;
  virtual void MarkDelivered(const UserCallContext& user,
                             const chat::v1::MarkDeliveredRequest& request,
                             Done<chat::v1::MarkDeliveredResponse> done) = 0;
};

// The service token, when one is cached; never blocks.
using ServiceTokenProvider = std::function<std::optional<std::string>()>;

// ChatBackend over gRPC's callback API, with a deadline on every call.
class GrpcChatBackend final : public ChatBackend {
 public:
  GrpcChatBackend(std::shared_ptr<grpc::ChannelInterface> channel,
                  ServiceTokenProvider service_token, absl::Duration deadline);

  void CheckRoomAccess(const std::string& request_id, const std::string& user_id,
                       const std::vector<std::string>& rooms,
                       Done<chat::v1::CheckRoomAccessResponse> done) override;
  void ListMessagesSince(const std::string& request_id,
                         const chat::v1::ListMessagesSinceRequest& request,
                         Done<chat::v1::ListMessagesSinceResponse> done) override;
  void SendMessage(const UserCallContext& user, const chat::v1::SendMessageRequest& request,
                   Done<chat::v1::SendMessageResponse> done) override;
  void EditMessage(const UserCallContext& user, const chat::v1::EditMessageRequest& request,
                   Done<chat::v1::EditMessageResponse> done) override;
  void DeleteMessage(const UserCallContext& user, const chat::v1::DeleteMessageRequest& request,
                     Done<chat::v1::DeleteMessageResponse> done) override;
  void MarkRead(const UserCallContext& user, const chat::v1::MarkReadRequest& request,
                Done<chat::v1::MarkReadResponse> done) override;
  void MarkDelivered(const UserCallContext& user, const chat::v1::MarkDeliveredRequest& request,
                     Done<chat::v1::MarkDeliveredResponse> done) override;

 private:
  std::unique_ptr<chat::v1::ChatService::Stub> stub_;
  ServiceTokenProvider service_token_;
  absl::Duration deadline_;
  // Declared last, so destroyed first: waits for calls in flight while stub_ holds the channel.
  grpc_client::InFlightCalls in_flight_;
};

}  // namespace chatter::gateway
