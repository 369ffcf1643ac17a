// chat-svc as the source of block relations.
#include "services/realtime/clients/chat_block_directory.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "libs/grpc_client/request_id.h"
#include "libs/status/grpc_status.h"

namespace chatter::realtime {

ChatBlockDirectory::ChatBlockDirectory(std::shared_ptr<grpc::ChannelInterface> chat_channel,
                                       authn::ServiceTokenSource& tokens,
                                       absl::Duration call_timeout)
    : stub_(chat::v1::ChatService::NewStub(std::move(chat_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

absl::StatusOr<BlockRelations> ChatBlockDirectory::Relations(const std::string& user_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  grpc_client::ForwardRequestId(context);
  if (absl::Status attached = tokens_.Attach(context); !attached.ok()) return attached;
  chat::v1::GetBlockRelationsRequest request;
  request.set_user_id(user_id);
  chat::v1::GetBlockRelationsResponse response;
  grpc::Status rpc = stub_->GetBlockRelations(&context, request, &response);
  if (!rpc.ok()) return status::FromDependencyFailure(rpc, "chat-svc GetBlockRelations");
  return BlockRelations{
      .blocked = {response.blocked_user_ids().begin(), response.blocked_user_ids().end()},
      .blocked_by = {response.blocked_by_user_ids().begin(), response.blocked_by_user_ids().end()}};
}

}  // namespace chatter::realtime
