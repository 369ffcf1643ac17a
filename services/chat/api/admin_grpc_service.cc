// chatter.chat.v1.ChatAdmin over gRPC.
#include "services/chat/api/admin_grpc_service.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <sodium.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc_server/request_scope.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/chat/api/chat_proto.h"

namespace chatter::chat {
namespace {

// The request without its idempotency key, hashed with the operation: what a repeat must match.
template <typename Request>
std::string RequestDigest(AdminOperation operation, Request request) {
  request.clear_idempotency_key();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, digest.size());
  absl::string_view name = AdminOperationName(operation);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                            name.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()), digest.size());
  return absl::BytesToHexString(digest);
}

void ToProto(const Room& room, const std::string& owner_id, v1::RoomInfo* out) {
  out->set_id(room.id);
  out->set_name(room.name);
  out->set_kind(std::string(KindName(room.kind)));
  out->set_visibility(std::string(VisibilityName(room.visibility)));
  out->set_owner_id(owner_id);
  out->set_member_count(room.member_count);
  out->set_last_seq(room.last_seq);
  SetTime(room.created_at, out->mutable_created_at());
}

std::string RoomTarget(const std::string& room_id) { return absl::StrCat("room:", room_id); }
std::string UserTarget(const std::string& user_id) { return absl::StrCat("user:", user_id); }
std::string MemberTarget(const std::string& room_id, const std::string& user_id) {
  return absl::StrCat("room:", room_id, " user:", user_id);
}

}  // namespace

AdminGrpcService::AdminGrpcService(AdminService& admin, IdempotentWrites& writes,
                                   const authn::Authenticator& authenticator, AdminAcl acl,
                                   PrincipalRateLimiter& limiter, ids::UuidGenerator& uuids)
    : admin_(admin),
      writes_(writes),
      authenticator_(authenticator),
      acl_(std::move(acl)),
      limiter_(limiter),
      uuids_(uuids) {}

absl::StatusOr<std::string> AdminGrpcService::Admit(const grpc::ServerContext& context,
                                                    AdminOperation operation) {
  CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateService(context));
  if (!acl_.Allows(caller.subject, operation)) {
    return absl::PermissionDeniedError(
        absl::StrCat("service client ", caller.subject, " may not call ChatAdmin operation ",
                     AdminOperationName(operation), " (CHATTER_CHAT_ADMIN_ACL)"));
  }
  if (std::optional<absl::Duration> wait = limiter_.Take(caller.subject)) {
    int seconds = static_cast<int>(absl::ToInt64Seconds(absl::Ceil(*wait, absl::Seconds(1))));
    return status::RateLimitedError(
        absl::StrCat("service client ", caller.subject, " exceeded its ChatAdmin rate; retry in ",
                     absl::ToInt64Milliseconds(*wait), " ms"),
        std::max(seconds, 1));
  }
  return std::move(caller.subject);
}

template <typename Body>
grpc::Status AdminGrpcService::Handle(grpc::ServerContext& context, AdminOperation operation,
                                      const std::string& target, Body&& body) {
  constexpr size_t kMaxTargetChars = 200;  // Ids are short; a caller's junk is cut.
  std::string request_id = grpc_server::RequestIdOf(context);
  if (request_id.empty()) {
    request_id = uuids_.NewV7();
    context.AddInitialMetadata(grpc_server::kRequestIdMetadata, request_id);
  }
  log::ScopedRequestId scope(std::move(request_id));
  absl::StatusOr<std::string> principal = Admit(context, operation);
  absl::Status outcome = principal.ok() ? body(*principal) : principal.status();
  // The audit trail: who did (or tried) what to whom. Ids only: no content, no token.
  log::Info("admin call", {{"audit", true},
                           {"principal", principal.ok() ? *principal : ""},
                           {"operation", AdminOperationName(operation)},
                           {"target", target.substr(0, kMaxTargetChars)},
                           {"code", absl::StatusCodeToString(outcome.code())}});
  return status::ToGrpcStatus(outcome);
}

template <typename Request, typename Response, typename Write>
absl::Status AdminGrpcService::Idempotent(const std::string& principal, AdminOperation operation,
                                          const Request& request, Response* response,
                                          Write&& write) {
  CHATTER_ASSIGN_OR_RETURN(
      std::string serialized,
      writes_.Run(principal, request.idempotency_key(), AdminOperationName(operation),
                  RequestDigest(operation, request), [&]() -> absl::StatusOr<std::string> {
                    CHATTER_RETURN_IF_ERROR(write());
                    return response->SerializeAsString();
                  }));
  if (!response->ParseFromString(serialized)) {
    return absl::InternalError("stored idempotent response does not parse");
  }
  return absl::OkStatus();
}

grpc::Status AdminGrpcService::PostMessage(grpc::ServerContext* context,
                                           const v1::PostMessageRequest* request,
                                           v1::PostMessageResponse* response) {
  return Handle(*context, AdminOperation::kPostMessage, RoomTarget(request->room_id()),
                [&](const std::string& principal) {
                  return Idempotent(
                      principal, AdminOperation::kPostMessage, *request, response,
                      [&]() -> absl::Status {
                        PlatformMessageInput input{.room_id = request->room_id(),
                                                   .sender_kind = request->sender_kind(),
                                                   .sender_id = request->sender_id(),
                                                   .content = request->content(),
                                                   .attachments = FromProto(request->attachments()),
                                                   .reply_to = request->reply_to(),
                                                   .idempotency_key = request->idempotency_key()};
                        CHATTER_ASSIGN_OR_RETURN(StoredMessage stored, admin_.PostMessage(input));
                        ToProto(stored.message, response->mutable_message());
                        return absl::OkStatus();
                      });
                });
}

grpc::Status AdminGrpcService::CreateRoom(grpc::ServerContext* context,
                                          const v1::AdminCreateRoomRequest* request,
                                          v1::AdminCreateRoomResponse* response) {
  return Handle(
      *context, AdminOperation::kCreateRoom, UserTarget(request->owner_id()),
      [&](const std::string& principal) {
        return Idempotent(
            principal, AdminOperation::kCreateRoom, *request, response, [&]() -> absl::Status {
              PlatformRoomInput input{
                  .name = request->name(),
                  .visibility = request->visibility(),
                  .owner_id = request->owner_id(),
                  .member_ids = {request->member_ids().begin(), request->member_ids().end()}};
              CHATTER_ASSIGN_OR_RETURN(Room room, admin_.CreateRoom(input));
              ToProto(room, room.created_by, response->mutable_room());
              return absl::OkStatus();
            });
      });
}

grpc::Status AdminGrpcService::AddMember(grpc::ServerContext* context,
                                         const v1::AdminAddMemberRequest* request,
                                         v1::AdminAddMemberResponse* response) {
  return Handle(
      *context, AdminOperation::kAddMember, MemberTarget(request->room_id(), request->user_id()),
      [&](const std::string& principal) {
        return Idempotent(
            principal, AdminOperation::kAddMember, *request, response, [&]() -> absl::Status {
              CHATTER_ASSIGN_OR_RETURN(AddedMember added,
                                       admin_.AddMember(request->room_id(), request->user_id()));
              response->set_created(added.added);
              response->set_role(std::string(RoleName(added.membership.role)));
              return absl::OkStatus();
            });
      });
}

grpc::Status AdminGrpcService::RemoveMember(grpc::ServerContext* context,
                                            const v1::AdminRemoveMemberRequest* request,
                                            v1::AdminRemoveMemberResponse* response) {
  return Handle(
      *context, AdminOperation::kRemoveMember, MemberTarget(request->room_id(), request->user_id()),
      [&](const std::string& principal) {
        return Idempotent(
            principal, AdminOperation::kRemoveMember, *request, response, [&]() -> absl::Status {
              CHATTER_ASSIGN_OR_RETURN(std::optional<RemovedMember> removed,
                                       admin_.RemoveMember(request->room_id(), request->user_id()));
              response->set_removed(removed.has_value());
              if (removed && removed->new_owner) {
                response->set_new_owner_id(*removed->new_owner);
              }
              return absl::OkStatus();
            });
      });
}

grpc::Status AdminGrpcService::SetMemberRole(grpc::ServerContext* context,
                                             const v1::SetMemberRoleRequest* request,
                                             v1::SetMemberRoleResponse* response) {
  return Handle(
      *context, AdminOperation::kSetMemberRole,
      MemberTarget(request->room_id(), request->user_id()), [&](const std::string& principal) {
        return Idempotent(
            principal, AdminOperation::kSetMemberRole, *request, response, [&]() -> absl::Status {
              CHATTER_ASSIGN_OR_RETURN(
                  bool changed,
                  admin_.SetMemberRole(request->room_id(), request->user_id(), request->role()));
              response->set_changed(changed);
              return absl::OkStatus();
            });
      });
}

grpc::Status AdminGrpcService::DisconnectUser(grpc::ServerContext* context,
                                              const v1::DisconnectUserRequest* request,
                                              v1::DisconnectUserResponse* response) {
  return Handle(*context, AdminOperation::kDisconnectUser, UserTarget(request->user_id()),
                [&](const std::string& principal) {
                  return Idempotent(
                      principal, AdminOperation::kDisconnectUser, *request, response,
                      [&]() -> absl::Status {
                        CHATTER_ASSIGN_OR_RETURN(
                            int revoked,
                            admin_.DisconnectUser(request->user_id(), request->close_code(),
                                                  request->reason(), request->revoke_sessions()));
                        response->set_revoked_logins(revoked);
                        return absl::OkStatus();
                      });
                });
}

grpc::Status AdminGrpcService::GetPresence(grpc::ServerContext* context,
                                           const v1::AdminGetPresenceRequest* request,
                                           v1::AdminGetPresenceResponse* response) {
  std::string target =
      absl::StrCat("rooms:", request->room_ids_size(), " users:", request->user_ids_size());
  return Handle(*context, AdminOperation::kGetPresence, target,
                [&](const std::string&) -> absl::Status {
                  CHATTER_ASSIGN_OR_RETURN(
                      PresenceReport report,
                      admin_.Presence({request->room_ids().begin(), request->room_ids().end()},
                                      {request->user_ids().begin(), request->user_ids().end()}));
                  for (const LivePresence& presence : report.users) {
                    v1::UserPresence* out = response->add_users();
                    out->set_user_id(presence.user_id);
                    out->set_status(presence.online ? "online" : "offline");
                    if (presence.last_seen) SetTime(*presence.last_seen, out->mutable_last_seen());
                  }
                  for (const RoomPresenceView& room : report.rooms) {
                    v1::RoomPresence* out = response->add_rooms();
                    out->set_room_id(room.room_id);
                    for (const std::string& user : room.online_user_ids) {
                      out->add_online_user_ids(user);
                    }
                    out->set_member_count(room.member_count);
                  }
                  return absl::OkStatus();
                });
}

grpc::Status AdminGrpcService::ExportHistory(grpc::ServerContext* context,
                                             const v1::ExportHistoryRequest* request,
                                             v1::ExportHistoryResponse* response) {
  return Handle(
      *context, AdminOperation::kExportHistory, RoomTarget(request->room_id()),
      [&](const std::string&) -> absl::Status {
        CHATTER_ASSIGN_OR_RETURN(
            ExportPage page,
            admin_.ExportHistory(request->room_id(), request->after_seq(), request->limit()));
        for (const Message& message : page.messages) {
          ToProto(message, response->add_messages());
        }
        if (page.next_after_seq) response->set_next_after_seq(*page.next_after_seq);
        response->set_last_seq(page.last_seq);
        return absl::OkStatus();
      });
}

grpc::Status AdminGrpcService::NotifyUsers(grpc::ServerContext* context,
                                           const v1::NotifyUsersRequest* request,
                                           v1::NotifyUsersResponse* response) {
  std::string target = request->user_ids_size() == 1
                           ? UserTarget(request->user_ids(0))
                           : absl::StrCat("users:", request->user_ids_size());
  return Handle(*context, AdminOperation::kNotifyUser, target, [&](const std::string& principal) {
    return Idempotent(
        principal, AdminOperation::kNotifyUser, *request, response, [&]() -> absl::Status {
          CHATTER_ASSIGN_OR_RETURN(
              std::string id,
              admin_.NotifyUsers({request->user_ids().begin(), request->user_ids().end()},
                                 request->type(), request->data_json()));
          response->set_notification_id(id);
          return absl::OkStatus();
        });
  });
}

}  // namespace chatter::chat
