// The rules of chat-svc's server API (chatter.chat.v1.ChatAdmin, docs/SERVER_API.md): what the
// platform's own services may do without acting as a user. Who may call what, limits, audit and
// idempotency belong to the API layer (AdminGrpcService); this class validates input and does
// the work, publishing the same room events users' actions publish.
//
// Errors: INVALID_ARGUMENT naming the field; NOT_FOUND for a well-formed id of nothing;
// FAILED_PRECONDITION for a room that cannot take the change (a direct room).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "services/chat/domain/admin_ports.h"
#include "services/chat/domain/event_publisher.h"
#include "services/chat/domain/repositories.h"
#include "services/chat/domain/user_directory.h"

namespace chatter::chat {

// The sender_id of system messages and of anonymous bots.
inline constexpr char kPlatformSenderId[] = "00000000-0000-0000-0000-000000000000";
inline constexpr int kMaxAdminRoomMembers = 100;
inline constexpr int kMaxPresenceRooms = 50;
inline constexpr int kMaxPresenceUsers = 200;
inline constexpr int kMaxPresenceRoomMembers = 1000;
inline constexpr int kMaxNotifiedUsers = 100;
inline constexpr size_t kMaxNotificationPayloadBytes = 4096;
inline constexpr size_t kMaxCloseReasonBytes = 123;  // RFC 6455: a control frame's 125 minus 2.
inline constexpr int kDefaultExportLimit = 500;
inline constexpr int kMaxExportLimit = 1000;

struct PlatformMessageInput {
  std::string room_id = {};
  std::string sender_kind = {};  // "system" or "bot".
  std::string sender_id = {};    // A bot's account, or "".
  std::string content = {};
  std::vector<Attachment> attachments = {};
  std::string reply_to = {};  // "" when no reply.
  // Stored as the message's client_msg_id: a retry after a crash finds the first message.
  std::string idempotency_key = {};
};

struct PlatformRoomInput {
  std::string name = {};
  std::string visibility = {};
  std::string owner_id = {};
  std::vector<std::string> member_ids = {};
};

struct RoomPresenceView {
  std::string room_id = {};
  std::vector<std::string> online_user_ids = {};
  int member_count = 0;
};

struct PresenceReport {
  std::vector<LivePresence> users = {};  // Requested users first, then the rooms' members.
  std::vector<RoomPresenceView> rooms = {};
};

struct ExportPage {
  std::vector<Message> messages = {};          // Oldest first.
  std::optional<int64_t> next_after_seq = {};  // Unset at the room's newest message.
  int64_t last_seq = 0;                        // The room's, when the page was read.
};

class AdminService {
 public:
  // Everything must outlive this.
  AdminService(RoomRepository& rooms, MessageRepository& messages, ServiceMessageWriter& posts,
               MemberRoles& roles, UserDirectory& users, LiveSessions& live, LoginRevoker& logins,
               EventPublisher& events, ids::UuidGenerator& uuids, ids::Clock& clock);

  absl::StatusOr<StoredMessage> PostMessage(const PlatformMessageInput& input);
  absl::StatusOr<Room> CreateRoom(const PlatformRoomInput& input);
  absl::StatusOr<AddedMember> AddMember(absl::string_view room_id, absl::string_view user_id);
  // nullopt when the user was not a member.
  absl::StatusOr<std::optional<RemovedMember>> RemoveMember(absl::string_view room_id,
                                                            absl::string_view user_id);
  // True when the role changed.
  absl::StatusOr<bool> SetMemberRole(absl::string_view room_id, absl::string_view user_id,
                                     absl::string_view role);
  // How many logins ended (0 unless `revoke_logins`). close_code 0 means 1008, reason "" means
  // "disconnected".
  absl::StatusOr<int> DisconnectUser(absl::string_view user_id, int close_code,
                                     absl::string_view reason, bool revoke_logins);
  absl::StatusOr<PresenceReport> Presence(const std::vector<std::string>& room_ids,
                                          const std::vector<std::string>& user_ids);
  // limit 0 means kDefaultExportLimit.
  absl::StatusOr<ExportPage> ExportHistory(absl::string_view room_id, int64_t after_seq, int limit);
  // The notification's id.
  absl::StatusOr<std::string> NotifyUsers(const std::vector<std::string>& user_ids,
                                          absl::string_view type, absl::string_view data_json);

 private:
  // The room (NOT_FOUND naming "room_id" when there is none).
  absl::StatusOr<Room> LoadRoom(const std::string& room_id);
  // A group room, for membership changes.
  absl::StatusOr<Room> LoadGroupRoom(absl::string_view room_id, std::string& parsed_id);
  // NOT_FOUND naming the field of the first id without a user.
  absl::Status RequireUsers(const std::vector<std::pair<std::string, std::string>>& fields_and_ids);
  absl::Time Now() const;

  RoomRepository& rooms_;
  MessageRepository& messages_;
  ServiceMessageWriter& posts_;
  MemberRoles& roles_;
  UserDirectory& users_;
  LiveSessions& live_;
  LoginRevoker& logins_;
  EventPublisher& events_;
  ids::UuidGenerator& uuids_;
  ids::Clock& clock_;
};

}  // namespace chatter::chat
