// The server API's rules. Checks run in the order of the contract's error lists: input (400),
// then what the ids name (404), then whether the room can take the change (412), then the change.
#include "services/chat/domain/admin_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/domain/validation.h"

namespace chatter::chat {
namespace {

constexpr int kModerationCloseCode = 1008;  // RFC 6455 "policy violation".
constexpr char kDefaultCloseReason[] = "disconnected";
constexpr size_t kMaxNotificationTypeChars = 64;

absl::Status NotFound(absl::string_view field, absl::string_view what) {
  return status::FieldError(absl::StatusCode::kNotFound, field, absl::StrCat("no such ", what),
                            absl::StrCat(field, ": no such ", what));
}

bool IsAllowedCloseCode(int code) {
  return code == 1000 || code == 1001 || code == 1008 || (code >= 4000 && code <= 4999);
}

bool IsNotificationType(absl::string_view type) {
  if (type.empty() || type.size() > kMaxNotificationTypeChars) return false;
  for (char c : type) {
    bool allowed =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

// Lower-case ids of `values`, each checked as "<field>[i]"; duplicates dropped, order kept.
absl::StatusOr<std::vector<std::string>> ParseIds(absl::string_view field,
                                                  const std::vector<std::string>& values) {
  std::vector<std::string> ids;
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < values.size(); ++i) {
    CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId(absl::StrCat(field, "[", i, "]"), values[i]));
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace

AdminService::AdminService(RoomRepository& rooms, MessageRepository& messages,
                           ServiceMessageWriter& posts, MemberRoles& roles, UserDirectory& users,
                           LiveSessions& live, LoginRevoker& logins, EventPublisher& events,
                           ids::UuidGenerator& uuids, ids::Clock& clock)
    : rooms_(rooms),
      messages_(messages),
      posts_(posts),
      roles_(roles),
      users_(users),
      live_(live),
      logins_(logins),
      events_(events),
      uuids_(uuids),
      clock_(clock) {}

absl::Time AdminService::Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }

absl::StatusOr<Room> AdminService::LoadRoom(const std::string& room_id) {
  // Nobody's membership is asked for: the nil UUID is no user.
  absl::StatusOr<RoomForUser> view = rooms_.FindForUser(room_id, kPlatformSenderId);
  if (view.status().code() == absl::StatusCode::kNotFound) return NotFound("room_id", "room");
  if (!view.ok()) return view.status();
  return view->room;
}

absl::StatusOr<Room> AdminService::LoadGroupRoom(absl::string_view room_id,
                                                 std::string& parsed_id) {
  CHATTER_ASSIGN_OR_RETURN(parsed_id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(Room room, LoadRoom(parsed_id));
  if (room.kind == RoomKind::kDirect) {
    return absl::FailedPreconditionError("direct rooms have exactly their two users");
  }
  return room;
}

absl::Status AdminService::RequireUsers(
    const std::vector<std::pair<std::string, std::string>>& fields_and_ids) {
  std::vector<std::string> ids;
  for (const auto& [field, id] : fields_and_ids) ids.push_back(id);
  CHATTER_ASSIGN_OR_RETURN(auto found, users_.FindByIds(ids));
  for (const auto& [field, id] : fields_and_ids) {
    if (!found.contains(id)) return NotFound(field, "user");
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredMessage> AdminService::PostMessage(const PlatformMessageInput& input) {
  CHATTER_ASSIGN_OR_RETURN(std::string room_id, ParseId("room_id", input.room_id));
  std::optional<SenderKind> kind = ParseSenderKind(input.sender_kind);
  if (!kind || *kind == SenderKind::kUser) {
    return status::InvalidFieldError("sender_kind", "must be system or bot");
  }
  std::string sender_id = kPlatformSenderId;
  if (!input.sender_id.empty()) {
    if (*kind == SenderKind::kSystem) {
      return status::InvalidFieldError("sender_id", "must be empty for a system message");
    }
    CHATTER_ASSIGN_OR_RETURN(sender_id, ParseId("sender_id", input.sender_id));
  }
  CHATTER_ASSIGN_OR_RETURN(std::string content, NormalizeContent(input.content));
  CHATTER_RETURN_IF_ERROR(ValidateAttachments(input.attachments));
  std::optional<std::string> reply_to;
  if (!input.reply_to.empty()) {
    CHATTER_ASSIGN_OR_RETURN(reply_to, ParseId("reply_to", input.reply_to));
  }
  CHATTER_RETURN_IF_ERROR(LoadRoom(room_id).status());
  if (sender_id != kPlatformSenderId) {
    CHATTER_RETURN_IF_ERROR(RequireUsers({{"sender_id", sender_id}}));
  }
  if (reply_to) {
    absl::StatusOr<Message> target = messages_.FindById(*reply_to);
    if (target.status().code() == absl::StatusCode::kNotFound ||
        (target.ok() && target->room_id != room_id)) {
      return status::InvalidFieldError("reply_to", "must be a message of this room");
    }
    if (!target.ok()) return target.status();
    if (target->deleted) return status::InvalidFieldError("reply_to", "the message is deleted");
  }
  NewMessage message{.id = uuids_.NewV7(),
                     .room_id = room_id,
                     .sender_id = sender_id,
                     .content = content,
                     .attachments = input.attachments,
                     .client_msg_id = input.idempotency_key.empty()
                                          ? std::nullopt
                                          : std::optional<std::string>(input.idempotency_key),
                     .created_at = Now(),
                     .reply_to = std::move(reply_to),
                     .mention_candidates = ResolveMentionCandidates(users_, content),
                     .sender_kind = *kind};
  CHATTER_ASSIGN_OR_RETURN(std::optional<StoredMessage> stored, posts_.InsertFromService(message));
  if (!stored) return NotFound("room_id", "room");  // Deleted a moment ago.
  if (stored->created) {
    RoomEvent event = MakeRoomEvent(RoomEvent::Kind::kMessageCreated, room_id, uuids_, clock_);
    event.message = stored->message;
    events_.Publish(std::move(event));
  }
  return *std::move(stored);
}

absl::StatusOr<Room> AdminService::CreateRoom(const PlatformRoomInput& input) {
  CHATTER_ASSIGN_OR_RETURN(std::string name, NormalizeRoomName(input.name));
  CHATTER_ASSIGN_OR_RETURN(Visibility visibility, ParseVisibilityField(input.visibility));
  CHATTER_ASSIGN_OR_RETURN(std::string owner_id, ParseId("owner_id", input.owner_id));
  if (input.member_ids.size() > static_cast<size_t>(kMaxAdminRoomMembers)) {
    return status::InvalidFieldError("member_ids",
                                     absl::StrCat("at most ", kMaxAdminRoomMembers, " ids"));
  }
  CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> member_ids,
                           ParseIds("member_ids", input.member_ids));
  std::vector<std::pair<std::string, std::string>> required = {{"owner_id", owner_id}};
  for (size_t i = 0; i < member_ids.size(); ++i) {
    required.emplace_back(absl::StrCat("member_ids[", i, "]"), member_ids[i]);
  }
  CHATTER_RETURN_IF_ERROR(RequireUsers(required));
  absl::Time now = Now();
  Room room{.id = uuids_.NewV7(),
            .kind = RoomKind::kGroup,
            .name = std::move(name),
            .visibility = visibility,
            .created_by = owner_id,
            .direct_key = "",
            .created_at = now,
            .member_count = 1,
            .last_seq = 0};
  Membership owner{.room_id = room.id, .user_id = owner_id, .role = Role::kOwner, .joined_at = now};
  CHATTER_RETURN_IF_ERROR(rooms_.CreateGroup(room, owner));
  for (const std::string& member_id : member_ids) {
    if (member_id == owner_id) continue;
    Membership membership{
        .room_id = room.id, .user_id = member_id, .role = Role::kMember, .joined_at = now};
    CHATTER_ASSIGN_OR_RETURN(AddedMember added, rooms_.AddMember(membership));
    if (added.added) ++room.member_count;
  }
  return room;
}

absl::StatusOr<AddedMember> AdminService::AddMember(absl::string_view room_id,
                                                    absl::string_view user_id) {
  std::string id;
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  CHATTER_ASSIGN_OR_RETURN(Room room, LoadGroupRoom(room_id, id));
  CHATTER_RETURN_IF_ERROR(RequireUsers({{"user_id", user}}));
  Membership membership{.room_id = id, .user_id = user, .role = Role::kMember, .joined_at = Now()};
  CHATTER_ASSIGN_OR_RETURN(AddedMember added, rooms_.AddMember(membership));
  if (added.added) {
    events_.Publish(MembershipEvent(RoomEvent::Kind::kMemberJoined, room, user, uuids_, clock_));
  }
  return added;
}

absl::StatusOr<std::optional<RemovedMember>> AdminService::RemoveMember(absl::string_view room_id,
                                                                        absl::string_view user_id) {
  std::string id;
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  CHATTER_ASSIGN_OR_RETURN(Room room, LoadGroupRoom(room_id, id));
  CHATTER_ASSIGN_OR_RETURN(std::optional<RemovedMember> removed, rooms_.RemoveMember(id, user));
  if (removed) {
    events_.Publish(MembershipEvent(RoomEvent::Kind::kMemberLeft, room, user, uuids_, clock_));
  }
  return removed;
}

absl::StatusOr<bool> AdminService::SetMemberRole(absl::string_view room_id,
                                                 absl::string_view user_id,
                                                 absl::string_view role) {
  std::string id;
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  std::optional<Role> parsed_role = ParseRole(role);
  if (!parsed_role || *parsed_role == Role::kOwner) {
    return status::InvalidFieldError("role", "must be admin or member");
  }
  CHATTER_RETURN_IF_ERROR(LoadGroupRoom(room_id, id).status());
  CHATTER_ASSIGN_OR_RETURN(RoleChange change, roles_.SetRole(id, user, *parsed_role));
  switch (change) {
    case RoleChange::kChanged:
      return true;
    case RoleChange::kUnchanged:
      return false;
    case RoleChange::kNotMember:
      return status::FieldError(absl::StatusCode::kNotFound, "user_id", "is not a member",
                                absl::StrCat("user ", user, " is not a member of this room"));
    case RoleChange::kOwner:
      return absl::FailedPreconditionError(
          "the owner's role does not change: ownership moves when the owner leaves or is "
          "removed");
  }
  return absl::InternalError("unknown role change");
}

absl::StatusOr<int> AdminService::DisconnectUser(absl::string_view user_id, int close_code,
                                                 absl::string_view reason, bool revoke_logins) {
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  if (close_code == 0) close_code = kModerationCloseCode;
  if (!IsAllowedCloseCode(close_code)) {
    return status::InvalidFieldError("close_code", "must be 1000, 1001, 1008 or 4000-4999");
  }
  if (reason.size() > kMaxCloseReasonBytes || !text::IsValidUtf8(reason)) {
    return status::InvalidFieldError("reason", "must be at most 123 bytes of UTF-8");
  }
  CHATTER_RETURN_IF_ERROR(RequireUsers({{"user_id", user}}));
  int revoked = 0;
  // Logins end first: a client reconnecting at once is refused rather than let back in.
  if (revoke_logins) {
    CHATTER_ASSIGN_OR_RETURN(revoked, logins_.RevokeAll(user));
  }
  CHATTER_RETURN_IF_ERROR(live_.Disconnect(
      {user}, close_code, reason.empty() ? std::string(kDefaultCloseReason) : std::string(reason)));
  return revoked;
}

absl::StatusOr<PresenceReport> AdminService::Presence(const std::vector<std::string>& room_ids,
                                                      const std::vector<std::string>& user_ids) {
  if (room_ids.empty() && user_ids.empty()) {
    return status::InvalidFieldError("user_ids", "give room_ids, user_ids or both");
  }
  if (room_ids.size() > static_cast<size_t>(kMaxPresenceRooms)) {
    return status::InvalidFieldError("room_ids", absl::StrCat("at most ", kMaxPresenceRooms));
  }
  if (user_ids.size() > static_cast<size_t>(kMaxPresenceUsers)) {
    return status::InvalidFieldError("user_ids", absl::StrCat("at most ", kMaxPresenceUsers));
  }
  CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> rooms, ParseIds("room_ids", room_ids));
  CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> everyone, ParseIds("user_ids", user_ids));
  absl::flat_hash_set<std::string> listed(everyone.begin(), everyone.end());
  PresenceReport report;
  std::vector<std::vector<std::string>> members_of_rooms;
  for (const std::string& room_id : rooms) {
    CHATTER_RETURN_IF_ERROR(LoadRoom(room_id).status());
    CHATTER_ASSIGN_OR_RETURN(std::vector<Membership> members, rooms_.ListMembers(room_id));
    if (members.size() > static_cast<size_t>(kMaxPresenceRoomMembers)) {
      return status::InvalidFieldError(
          "room_ids",
          absl::StrCat("room ", room_id, " has more than ", kMaxPresenceRoomMembers, " members"));
    }
    std::vector<std::string>& ids = members_of_rooms.emplace_back();
    for (const Membership& member : members) {
      ids.push_back(member.user_id);
      if (listed.insert(member.user_id).second) everyone.push_back(member.user_id);
    }
  }
  // realtime-svc answers at most kMaxPresenceUsers ids per call.
  absl::flat_hash_set<std::string> online;
  for (size_t begin = 0; begin < everyone.size(); begin += kMaxPresenceUsers) {
    std::vector<std::string> chunk(
        everyone.begin() + static_cast<std::ptrdiff_t>(begin),
        everyone.begin() +
            static_cast<std::ptrdiff_t>(std::min(everyone.size(), begin + kMaxPresenceUsers)));
    CHATTER_ASSIGN_OR_RETURN(std::vector<LivePresence> presences, live_.Presence(chunk));
    for (LivePresence& presence : presences) {
      if (presence.online) online.insert(presence.user_id);
      report.users.push_back(std::move(presence));
    }
  }
  for (size_t i = 0; i < rooms.size(); ++i) {
    RoomPresenceView& view = report.rooms.emplace_back();
    view.room_id = rooms[i];
    view.member_count = static_cast<int>(members_of_rooms[i].size());
    for (const std::string& member : members_of_rooms[i]) {
      if (online.contains(member)) view.online_user_ids.push_back(member);
    }
  }
  return report;
}

absl::StatusOr<ExportPage> AdminService::ExportHistory(absl::string_view room_id, int64_t after_seq,
                                                       int limit) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  if (after_seq < 0) return status::InvalidFieldError("after_seq", "must not be negative");
  if (limit == 0) limit = kDefaultExportLimit;
  if (limit < 1 || limit > kMaxExportLimit) {
    return status::InvalidFieldError("limit", absl::StrCat("must be 1-", kMaxExportLimit));
  }
  CHATTER_ASSIGN_OR_RETURN(Room room, LoadRoom(id));
  ExportPage page;
  page.last_seq = room.last_seq;
  CHATTER_ASSIGN_OR_RETURN(page.messages, messages_.ListAfter(id, after_seq, limit));
  if (!page.messages.empty() && page.messages.back().seq < room.last_seq) {
    page.next_after_seq = page.messages.back().seq;
  }
  return page;
}

absl::StatusOr<std::string> AdminService::NotifyUsers(const std::vector<std::string>& user_ids,
                                                      absl::string_view type,
                                                      absl::string_view data_json) {
  if (user_ids.empty() || user_ids.size() > static_cast<size_t>(kMaxNotifiedUsers)) {
    return status::InvalidFieldError("user_ids", absl::StrCat("give 1-", kMaxNotifiedUsers));
  }
  CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> users, ParseIds("user_ids", user_ids));
  if (!IsNotificationType(type)) {
    return status::InvalidFieldError("type", "must be 1-64 of [a-z0-9_.-]");
  }
  if (data_json.size() > kMaxNotificationPayloadBytes) {
    return status::InvalidFieldError("data_json", "must be at most 4096 bytes");
  }
  nlohmann::json payload = data_json.empty()
                               ? nlohmann::json::object()
                               : nlohmann::json::parse(std::string(data_json), nullptr, false);
  if (!payload.is_object()) return status::InvalidFieldError("data_json", "must be a JSON object");
  std::string id = uuids_.NewV7();
  CHATTER_RETURN_IF_ERROR(live_.Notify(users, id, std::string(type), payload.dump()));
  return id;
}

}  // namespace chatter::chat
