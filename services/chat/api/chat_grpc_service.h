// chatter.chat.v1.ChatService over gRPC: who is calling (a user token for public RPCs, a service
// token for the internal ones), proto <-> domain, and the one place where this service's
// absl::Status becomes grpc::Status. Synchronous API: the domain blocks on PostgreSQL.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "libs/authn/authenticator.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/domain/conversation_service.h"
#include "services/chat/domain/room_directory.h"

namespace chatter::chat {

// Least privilege: service client ids (the `sub` of their service tokens) allowed per internal
// RPC. Each of them reads any user's view of rooms, so only the caller that needs it gets it.
struct InternalCallers {
  // CheckRoomAccess, ListMessagesSince (CHATTER_CHAT_GATEWAYS).
  std::vector<std::string> gateways = {"gateway"};
  // GetBlockRelations (CHATTER_CHAT_BLOCK_READERS): realtime-svc hides presence from blocked users.
  std::vector<std::string> block_readers = {"realtime-svc"};
};

class ChatGrpcService final : public v1::ChatService::Service {
 public:
  ChatGrpcService(ChatService& chat, ConversationService& conversations, RoomDirectory& directory,
                  const authn::Authenticator& authenticator, const InternalCallers& callers = {});

  grpc::Status CreateRoom(grpc::ServerContext* context, const v1::CreateRoomRequest* request,
                          v1::CreateRoomResponse* response) override;
  grpc::Status ListRooms(grpc::ServerContext* context, const v1::ListRoomsRequest* request,
                         v1::ListRoomsResponse* response) override;
  grpc::Status ListPublicRooms(grpc::ServerContext* context,
                               const v1::ListPublicRoomsRequest* request,
                               v1::ListPublicRoomsResponse* response) override;
  grpc::Status GetRoom(grpc::ServerContext* context, const v1::GetRoomRequest* request,
                       v1::GetRoomResponse* response) override;
  grpc::Status JoinRoom(grpc::ServerContext* context, const v1::JoinRoomRequest* request,
                        v1::JoinRoomResponse* response) override;
  grpc::Status LeaveRoom(grpc::ServerContext* context, const v1::LeaveRoomRequest* request,
                         v1::LeaveRoomResponse* response) override;
  grpc::Status ListMembers(grpc::ServerContext* context, const v1::ListMembersRequest* request,
                           v1::ListMembersResponse* response) override;
  grpc::Status AddMember(grpc::ServerContext* context, const v1::AddMemberRequest* request,
                         v1::AddMemberResponse* response) override;
  grpc::Status RemoveMember(grpc::ServerContext* context, const v1::RemoveMemberRequest* request,
                            v1::RemoveMemberResponse* response) override;
  grpc::Status OpenDirectRoom(grpc::ServerContext* context,
                              const v1::OpenDirectRoomRequest* request,
                              v1::OpenDirectRoomResponse* response) override;
  grpc::Status SendMessage(grpc::ServerContext* context, const v1::SendMessageRequest* request,
                           v1::SendMessageResponse* response) override;
  grpc::Status ListMessages(grpc::ServerContext* context, const v1::ListMessagesRequest* request,
                            v1::ListMessagesResponse* response) override;
  grpc::Status EditMessage(grpc::ServerContext* context, const v1::EditMessageRequest* request,
                           v1::EditMessageResponse* response) override;
  grpc::Status DeleteMessage(grpc::ServerContext* context, const v1::DeleteMessageRequest* request,
                             v1::DeleteMessageResponse* response) override;
  grpc::Status MarkRead(grpc::ServerContext* context, const v1::MarkReadRequest* request,
                        v1::MarkReadResponse* response) override;
  grpc::Status ListReplies(grpc::ServerContext* context, const v1::ListRepliesRequest* request,
                           v1::ListRepliesResponse* response) override;
  grpc::Status AddReaction(grpc::ServerContext* context, const v1::AddReactionRequest* request,
                           v1::AddReactionResponse* response) override;
  grpc::Status RemoveReaction(grpc::ServerContext* context,
                              const v1::RemoveReactionRequest* request,
                              v1::RemoveReactionResponse* response) override;
  grpc::Status MarkDelivered(grpc::ServerContext* context, const v1::MarkDeliveredRequest* request,
                             v1::MarkDeliveredResponse* response) override;
  grpc::Status ListReceipts(grpc::ServerContext* context, const v1::ListReceiptsRequest* request,
                            v1::ListReceiptsResponse* response) override;
  grpc::Status SearchMessages(grpc::ServerContext* context,
                              const v1::SearchMessagesRequest* request,
                              v1::SearchMessagesResponse* response) override;
  grpc::Status AddContact(grpc::ServerContext* context, const v1::AddContactRequest* request,
                          v1::AddContactResponse* response) override;
  grpc::Status ListContacts(grpc::ServerContext* context, const v1::ListContactsRequest* request,
                            v1::ListContactsResponse* response) override;
  grpc::Status BlockUser(grpc::ServerContext* context, const v1::BlockUserRequest* request,
                         v1::BlockUserResponse* response) override;
  grpc::Status UnblockUser(grpc::ServerContext* context, const v1::UnblockUserRequest* request,
                           v1::UnblockUserResponse* response) override;
  grpc::Status ReportUser(grpc::ServerContext* context, const v1::ReportUserRequest* request,
                          v1::ReportUserResponse* response) override;
  grpc::Status CheckRoomAccess(grpc::ServerContext* context,
                               const v1::CheckRoomAccessRequest* request,
                               v1::CheckRoomAccessResponse* response) override;
  grpc::Status ListMessagesSince(grpc::ServerContext* context,
                                 const v1::ListMessagesSinceRequest* request,
                                 v1::ListMessagesSinceResponse* response) override;
  grpc::Status GetBlockRelations(grpc::ServerContext* context,
                                 const v1::GetBlockRelationsRequest* request,
                                 v1::GetBlockRelationsResponse* response) override;

 private:
  // The caller's user id (lower-case) from a user token.
  absl::StatusOr<std::string> UserCaller(const grpc::ServerContext& context) const;
  // OK for a valid service token of one of `allowed`.
  absl::Status ServiceCaller(const grpc::ServerContext& context,
                             const absl::flat_hash_set<std::string>& allowed,
                             absl::string_view action) const;

  ChatService& chat_;
  ConversationService& conversations_;
  RoomDirectory& directory_;
  const authn::Authenticator& authenticator_;
  absl::flat_hash_set<std::string> gateways_;
  absl::flat_hash_set<std::string> block_readers_;
};

}  // namespace chatter::chat
