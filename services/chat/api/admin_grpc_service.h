// chatter.chat.v1.ChatAdmin over gRPC: the server API for the platform's own services. Every call
// passes the same gate — a service token, the principal's operation list, its rate — is
// audit-logged, and every write runs once per idempotency key (IdempotentWrites).
#pragma once

#include <string>

#include "chatter/chat/v1/admin.grpc.pb.h"
#include "libs/authn/authenticator.h"
#include "libs/ids/uuid_generator.h"
#include "services/chat/api/admin_access.h"
#include "services/chat/domain/admin_service.h"
#include "services/chat/domain/idempotent_writes.h"

namespace chatter::chat {

class AdminGrpcService final : public v1::ChatAdmin::Service {
 public:
  // Everything must outlive this.
  AdminGrpcService(AdminService& admin, IdempotentWrites& writes,
                   const authn::Authenticator& authenticator, AdminAcl acl,
                   PrincipalRateLimiter& limiter, ids::UuidGenerator& uuids);

  grpc::Status PostMessage(grpc::ServerContext* context, const v1::PostMessageRequest* request,
                           v1::PostMessageResponse* response) override;
  grpc::Status CreateRoom(grpc::ServerContext* context, const v1::AdminCreateRoomRequest* request,
                          v1::AdminCreateRoomResponse* response) override;
  grpc::Status AddMember(grpc::ServerContext* context, const v1::AdminAddMemberRequest* request,
                         v1::AdminAddMemberResponse* response) override;
  grpc::Status RemoveMember(grpc::ServerContext* context,
                            const v1::AdminRemoveMemberRequest* request,
                            v1::AdminRemoveMemberResponse* response) override;
  grpc::Status SetMemberRole(grpc::ServerContext* context, const v1::SetMemberRoleRequest* request,
                             v1::SetMemberRoleResponse* response) override;
  grpc::Status DisconnectUser(grpc::ServerContext* context,
                              const v1::DisconnectUserRequest* request,
                              v1::DisconnectUserResponse* response) override;
  grpc::Status GetPresence(grpc::ServerContext* context, const v1::AdminGetPresenceRequest* request,
                           v1::AdminGetPresenceResponse* response) override;
  grpc::Status ExportHistory(grpc::ServerContext* context, const v1::ExportHistoryRequest* request,
                             v1::ExportHistoryResponse* response) override;
  grpc::Status NotifyUsers(grpc::ServerContext* context, const v1::NotifyUsersRequest* request,
                           v1::NotifyUsersResponse* response) override;

 private:
  // The gate, the audit line and the status conversion around `body(principal)`. A call without
  // an x-request-id gets one (answered in the initial metadata), so every audit line has one.
  template <typename Body>
  grpc::Status Handle(grpc::ServerContext& context, AdminOperation operation,
                      const std::string& target, Body&& body);
  // The calling principal if it may call `operation` now.
  absl::StatusOr<std::string> Admit(const grpc::ServerContext& context, AdminOperation operation);
  // Runs `write` (which fills `*response`) once per (principal, request.idempotency_key()).
  template <typename Request, typename Response, typename Write>
  absl::Status Idempotent(const std::string& principal, AdminOperation operation,
                          const Request& request, Response* response, Write&& write);

  AdminService& admin_;
  IdempotentWrites& writes_;
  const authn::Authenticator& authenticator_;
  AdminAcl acl_;
  PrincipalRateLimiter& limiter_;
  ids::UuidGenerator& uuids_;
};

}  // namespace chatter::chat
