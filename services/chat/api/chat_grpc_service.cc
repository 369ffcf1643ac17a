// chatter.chat.v1.ChatService over gRPC.
#include "services/chat/api/chat_grpc_service.h"

#include "libs/grpc_server/request_scope.h"
#include "libs/ids/uuid.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/chat/api/chat_proto.h"

namespace chatter::chat {
namespace {

// Every handler runs its body through here: while it runs, the call's request id is the
// thread's current one, so log lines below it carry the id and calls to other services forward it.
template <typename F>
grpc::Status Respond(const grpc::ServerContext& context, F&& body) {
  grpc_server::RequestScope scope(context);
  return status::ToGrpcStatus(body());
}

}  // namespace

ChatGrpcService::ChatGrpcService(ChatService& chat, ConversationService& conversations,
                                 RoomDirectory& directory,
                                 const authn::Authenticator& authenticator,
                                 const InternalCallers& callers)
    : chat_(chat),
      conversations_(conversations),
      directory_(directory),
      authenticator_(authenticator),
      gateways_(callers.gateways.begin(), callers.gateways.end()),
      block_readers_(callers.block_readers.begin(), callers.block_readers.end()) {}

absl::StatusOr<std::string> ChatGrpcService::UserCaller(const grpc::ServerContext& context) const {
  CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(context));
  std::optional<std::string> id = ids::NormalizeUuid(caller.subject);
  if (!id) return absl::UnauthenticatedError("token subject is not a user id");
  return *std::move(id);
}

absl::Status ChatGrpcService::ServiceCaller(const grpc::ServerContext& context,
                                            const absl::flat_hash_set<std::string>& allowed,
                                            absl::string_view action) const {
  return authenticator_.AuthenticateServiceAmong(context, allowed, action).status();
}

// ---------------------------------------------------------------------------------------------
// Rooms and membership

grpc::Status ChatGrpcService::CreateRoom(grpc::ServerContext* context,
                                         const v1::CreateRoomRequest* request,
                                         v1::CreateRoomResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(Room room,
                             chat_.CreateRoom(caller, request->name(), request->visibility()));
    ToProto(room, response->mutable_room());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::ListRooms(grpc::ServerContext* context, const v1::ListRoomsRequest*,
                                        v1::ListRoomsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(std::vector<RoomSummary> rooms, chat_.ListRooms(caller));
    CHATTER_RETURN_IF_ERROR(conversations_.AttachReactions(caller, rooms));
    for (const RoomSummary& summary : rooms) ToProto(summary, response->add_rooms());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::ListPublicRooms(grpc::ServerContext* context,
                                              const v1::ListPublicRoomsRequest* request,
                                              v1::ListPublicRoomsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    // Any signed-in user may browse; the caller's identity changes nothing in the answer.
    CHATTER_RETURN_IF_ERROR(UserCaller(*context).status());
    DirectoryInput input{.q = request->q()};
    // An explicit limit (even 0) is validated; only an absent one means the default.
    if (request->has_limit()) input.limit = request->limit();
    if (request->has_before()) input.before = request->before();
    CHATTER_ASSIGN_OR_RETURN(PublicRoomPage page, directory_.ListPublicRooms(input));
    for (const Room& room : page.rooms) ToProto(room, response->add_rooms());
    if (page.next_before) response->set_next_before(*page.next_before);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::GetRoom(grpc::ServerContext* context,
                                      const v1::GetRoomRequest* request,
                                      v1::GetRoomResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(Room room, chat_.GetRoom(caller, request->room_id()));
    ToProto(room, response->mutable_room());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::JoinRoom(grpc::ServerContext* context,
                                       const v1::JoinRoomRequest* request,
                                       v1::JoinRoomResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(Room room, chat_.JoinRoom(caller, request->room_id()));
    ToProto(room, response->mutable_room());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::LeaveRoom(grpc::ServerContext* context,
                                        const v1::LeaveRoomRequest* request,
                                        v1::LeaveRoomResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return chat_.LeaveRoom(caller, request->room_id());
  });
}

grpc::Status ChatGrpcService::ListMembers(grpc::ServerContext* context,
                                          const v1::ListMembersRequest* request,
                                          v1::ListMembersResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(std::vector<MemberView> members,
                             chat_.ListMembers(caller, request->room_id()));
    for (const MemberView& member : members) ToProto(member, response->add_members());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::AddMember(grpc::ServerContext* context,
                                        const v1::AddMemberRequest* request,
                                        v1::AddMemberResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(AddMemberResult added,
                             chat_.AddMember(caller, request->room_id(), request->user_id()));
    ToProto(added.member, response->mutable_member());
    response->set_created(added.created);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::RemoveMember(grpc::ServerContext* context,
                                           const v1::RemoveMemberRequest* request,
                                           v1::RemoveMemberResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return chat_.RemoveMember(caller, request->room_id(), request->user_id());
  });
}

grpc::Status ChatGrpcService::OpenDirectRoom(grpc::ServerContext* context,
                                             const v1::OpenDirectRoomRequest* request,
                                             v1::OpenDirectRoomResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(OpenedRoom opened, chat_.OpenDirectRoom(caller, request->user_id()));
    ToProto(opened.room, response->mutable_room());
    response->set_created(opened.created);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Messages

grpc::Status ChatGrpcService::SendMessage(grpc::ServerContext* context,
                                          const v1::SendMessageRequest* request,
                                          v1::SendMessageResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    SendMessageInput input{
        .content = request->content(),
        .client_msg_id = request->has_client_msg_id()
                             ? std::optional<std::string>(request->client_msg_id())
                             : std::nullopt,
        .attachments = FromProto(request->attachments())};
    if (request->has_reply_to()) input.reply_to = request->reply_to();
    CHATTER_ASSIGN_OR_RETURN(StoredMessage stored,
                             chat_.SendMessage(caller, request->room_id(), input));
    // A repeated client_msg_id answers the first message, which may have reactions by now.
    if (!stored.created) {
      CHATTER_RETURN_IF_ERROR(conversations_.AttachReactions(caller, stored.message));
    }
    ToProto(stored.message, response->mutable_message());
    response->set_created(stored.created);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::ListMessages(grpc::ServerContext* context,
                                           const v1::ListMessagesRequest* request,
                                           v1::ListMessagesResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    // An explicit limit (even 0) is validated; only an absent one means the default.
    std::optional<int> limit;
    if (request->has_limit()) limit = request->limit();
    std::optional<int64_t> before, after;
    if (request->has_before()) before = request->before();
    if (request->has_after()) after = request->after();
    CHATTER_ASSIGN_OR_RETURN(MessagePage page,
                             chat_.ListMessages(caller, request->room_id(), limit, before, after));
    CHATTER_RETURN_IF_ERROR(conversations_.AttachReactions(caller, page.messages));
    for (const Message& message : page.messages) ToProto(message, response->add_messages());
    if (page.next_before) response->set_next_before(*page.next_before);
    if (page.next_after) response->set_next_after(*page.next_after);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::EditMessage(grpc::ServerContext* context,
                                          const v1::EditMessageRequest* request,
                                          v1::EditMessageResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(
        Message message,
        chat_.EditMessage(caller, request->room_id(), request->message_id(), request->content()));
    CHATTER_RETURN_IF_ERROR(conversations_.AttachReactions(caller, message));
    ToProto(message, response->mutable_message());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::DeleteMessage(grpc::ServerContext* context,
                                            const v1::DeleteMessageRequest* request,
                                            v1::DeleteMessageResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(
        Message message, chat_.DeleteMessage(caller, request->room_id(), request->message_id()));
    ToProto(message, response->mutable_message());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::MarkRead(grpc::ServerContext* context,
                                       const v1::MarkReadRequest* request,
                                       v1::MarkReadResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(int64_t read_seq,
                             chat_.MarkRead(caller, request->room_id(), request->seq()));
    response->set_read_seq(read_seq);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Replies, reactions, receipts, search

grpc::Status ChatGrpcService::ListReplies(grpc::ServerContext* context,
                                          const v1::ListRepliesRequest* request,
                                          v1::ListRepliesResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    std::optional<int> limit;
    if (request->has_limit()) limit = request->limit();
    std::optional<int64_t> after;
    if (request->has_after()) after = request->after();
    CHATTER_ASSIGN_OR_RETURN(ReplyPage page,
                             conversations_.ListReplies(caller, request->room_id(),
                                                        request->message_id(), limit, after));
    for (const Message& message : page.messages) ToProto(message, response->add_messages());
    if (page.next_after) response->set_next_after(*page.next_after);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::AddReaction(grpc::ServerContext* context,
                                          const v1::AddReactionRequest* request,
                                          v1::AddReactionResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return conversations_.AddReaction(caller, request->room_id(), request->message_id(),
                                      request->emoji());
  });
}

grpc::Status ChatGrpcService::RemoveReaction(grpc::ServerContext* context,
                                             const v1::RemoveReactionRequest* request,
                                             v1::RemoveReactionResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return conversations_.RemoveReaction(caller, request->room_id(), request->message_id(),
                                         request->emoji());
  });
}

grpc::Status ChatGrpcService::MarkDelivered(grpc::ServerContext* context,
                                            const v1::MarkDeliveredRequest* request,
                                            v1::MarkDeliveredResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return conversations_.MarkDelivered(caller, request->room_id(), request->seq());
  });
}

grpc::Status ChatGrpcService::ListReceipts(grpc::ServerContext* context,
                                           const v1::ListReceiptsRequest* request,
                                           v1::ListReceiptsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(std::vector<Receipt> receipts,
                             conversations_.ListReceipts(caller, request->room_id()));
    for (const Receipt& receipt : receipts) {
      v1::MemberReceipt* out = response->add_members();
      out->set_user_id(receipt.user_id);
      out->set_delivered_seq(receipt.delivered_seq);
      out->set_read_seq(receipt.read_seq);
    }
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::SearchMessages(grpc::ServerContext* context,
                                             const v1::SearchMessagesRequest* request,
                                             v1::SearchMessagesResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    SearchInput input{.q = request->q()};
    if (request->has_room_id()) input.room_id = request->room_id();
    if (request->has_limit()) input.limit = request->limit();
    if (request->has_before()) input.before = request->before();
    CHATTER_ASSIGN_OR_RETURN(SearchPage page, conversations_.Search(caller, input));
    for (const SearchResult& result : page.results) {
      v1::SearchResult* out = response->add_results();
      ToProto(result.message, out->mutable_message());
      out->set_snippet(result.snippet_html);
    }
    if (page.next_before) response->set_next_before(*page.next_before);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Contacts, blocks, reports

grpc::Status ChatGrpcService::AddContact(grpc::ServerContext* context,
                                         const v1::AddContactRequest* request,
                                         v1::AddContactResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    ContactTarget target;
    if (request->target_case() == v1::AddContactRequest::kUserId)
      target.user_id = request->user_id();
    if (request->target_case() == v1::AddContactRequest::kEmail) target.email = request->email();
    CHATTER_ASSIGN_OR_RETURN(AddContactResult added, chat_.AddContact(caller, target));
    ToProto(added.contact, response->mutable_contact());
    response->set_created(added.created);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::ListContacts(grpc::ServerContext* context,
                                           const v1::ListContactsRequest*,
                                           v1::ListContactsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(std::vector<ContactView> contacts, chat_.ListContacts(caller));
    for (const ContactView& contact : contacts) ToProto(contact, response->add_contacts());
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::BlockUser(grpc::ServerContext* context,
                                        const v1::BlockUserRequest* request,
                                        v1::BlockUserResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return chat_.BlockUser(caller, request->user_id());
  });
}

grpc::Status ChatGrpcService::UnblockUser(grpc::ServerContext* context,
                                          const v1::UnblockUserRequest* request,
                                          v1::UnblockUserResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    return chat_.UnblockUser(caller, request->user_id());
  });
}

grpc::Status ChatGrpcService::ReportUser(grpc::ServerContext* context,
                                         const v1::ReportUserRequest* request,
                                         v1::ReportUserResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(std::string caller, UserCaller(*context));
    CHATTER_ASSIGN_OR_RETURN(std::string report_id,
                             chat_.ReportUser(caller, request->user_id(), request->reason()));
    response->set_report_id(report_id);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Internal

grpc::Status ChatGrpcService::CheckRoomAccess(grpc::ServerContext* context,
                                              const v1::CheckRoomAccessRequest* request,
                                              v1::CheckRoomAccessResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(ServiceCaller(*context, gateways_, "check room access"));
    std::vector<std::string> room_ids(request->room_ids().begin(), request->room_ids().end());
    CHATTER_ASSIGN_OR_RETURN(std::vector<RoomAccessResult> results,
                             chat_.CheckRoomAccess(request->user_id(), room_ids));
    for (const RoomAccessResult& result : results) {
      v1::RoomAccess* access = response->add_results();
      access->set_room_id(result.room_id);
      access->set_allowed(result.allowed);
      access->set_code(result.code);
      access->set_member(result.member);
      access->set_last_seq(result.last_seq);
    }
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::ListMessagesSince(grpc::ServerContext* context,
                                                const v1::ListMessagesSinceRequest* request,
                                                v1::ListMessagesSinceResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(ServiceCaller(*context, gateways_, "list messages since"));
    CHATTER_ASSIGN_OR_RETURN(ReplayPage page,
                             chat_.ListMessagesSince(request->user_id(), request->room_id(),
                                                     request->since_seq(), request->limit()));
    for (const Message& message : page.messages) ToProto(message, response->add_messages());
    response->set_truncated(page.truncated);
    response->set_last_seq(page.last_seq);
    return absl::OkStatus();
  });
}

grpc::Status ChatGrpcService::GetBlockRelations(grpc::ServerContext* context,
                                                const v1::GetBlockRelationsRequest* request,
                                                v1::GetBlockRelationsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(ServiceCaller(*context, block_readers_, "get block relations"));
    CHATTER_ASSIGN_OR_RETURN(BlockRelations relations, chat_.GetBlockRelations(request->user_id()));
    for (const std::string& id : relations.blocked_user_ids) response->add_blocked_user_ids(id);
    for (const std::string& id : relations.blocked_by_user_ids) {
      response->add_blocked_by_user_ids(id);
    }
    return absl::OkStatus();
  });
}

}  // namespace chatter::chat
