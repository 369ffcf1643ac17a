// BlockDirectory backed by chat-svc's GetBlockRelations, called with realtime-svc's service
// token. Blocks for one RPC (bounded by a deadline): presence workers and sync RPCs only.
#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "absl/time/time.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "libs/authn/service_token_source.h"
#include "services/realtime/domain/block_directory.h"

namespace chatter::realtime {

class ChatBlockDirectory final : public BlockDirectory {
 public:
  // `tokens` must outlive the directory.
  ChatBlockDirectory(std::shared_ptr<grpc::ChannelInterface> chat_channel,
                     authn::ServiceTokenSource& tokens, absl::Duration call_timeout);

  // UNAVAILABLE/DEADLINE_EXCEEDED when chat-svc (or auth-svc, for the token) is unreachable;
  // INTERNAL when chat-svc refuses the call (a deployment error).
  absl::StatusOr<BlockRelations> Relations(const std::string& user_id) override;

 private:
  std::unique_ptr<chat::v1::ChatService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
};

}  // namespace chatter::realtime
