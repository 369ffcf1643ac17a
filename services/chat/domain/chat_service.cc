// chat-svc's rules. Checks run in the order of the contract's error list: input (400), then the
// room (404), then the caller's rights (403), then the target (404/403), then the change.
#include "services/chat/domain/chat_service.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "services/chat/domain/mentions.h"
#include "services/chat/domain/permissions.h"

namespace chatter::chat {
namespace {

constexpr int kDefaultReplayLimit = 500;
constexpr int kMaxReplayLimit = 1000;
constexpr int kMaxAccessChecks = 100;
constexpr absl::Duration kReportWindow = absl::Hours(24);
constexpr int kReportRetryAfterSeconds = 3600;

std::string UsernameOf(const absl::flat_hash_map<std::string, UserProfile>& names,
                       const std::string& user_id) {
  auto it = names.find(user_id);
  return it == names.end() ? "" : it->second.username;
}

}  // namespace

std::string DirectKey(const std::string& user_a, const std::string& user_b) {
  return user_a < user_b ? absl::StrCat(user_a, ":", user_b) : absl::StrCat(user_b, ":", user_a);
}

ChatService::ChatService(ChatPolicy policy, RoomRepository& rooms, MessageRepository& messages,
                         ContactRepository& contacts, UserDirectory& users, EventPublisher& events,
                         ids::UuidGenerator& uuids, ids::Clock& clock)
    : policy_(policy),
      rooms_(rooms),
      messages_(messages),
      contacts_(contacts),
      users_(users),
      events_(events),
      uuids_(uuids),
      clock_(clock),
      access_(rooms, messages, contacts) {}

absl::Time ChatService::Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }

RoomEvent ChatService::NewEvent(RoomEvent::Kind kind, const std::string& room_id) {
  return MakeRoomEvent(kind, room_id, uuids_, clock_);
}

void ChatService::PublishMembership(RoomEvent::Kind kind, const Room& room,
                                    const std::string& user_id) {
  events_.Publish(MembershipEvent(kind, room, user_id, uuids_, clock_));
}

absl::StatusOr<UserProfile> ChatService::RequireUser(absl::string_view field,
                                                     const std::string& user_id) {
  CHATTER_ASSIGN_OR_RETURN(auto found, users_.FindByIds({user_id}));
  auto it = found.find(user_id);
  if (it == found.end()) {
    return status::FieldError(absl::StatusCode::kNotFound, field, "no such user",
                              absl::StrCat("user ", user_id, " not found"));
  }
  return it->second;
}

absl::StatusOr<std::string> ChatService::OtherUserId(const std::string& caller,
                                                     absl::string_view field,
                                                     absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId(field, user_id));
  if (id == caller) return status::InvalidFieldError(field, "must be another user than you");
  return id;
}

absl::flat_hash_map<std::string, UserProfile> ChatService::Usernames(
    const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> found = users_.FindByIds(ids);
  if (!found.ok()) {
    // A list without names beats no list: usernames are decoration, membership is the answer.
    log::Warn("usernames unavailable", {{"error", std::string(found.status().message())}});
    return {};
  }
  return *std::move(found);
}

absl::Status ChatService::CheckReplyTarget(const std::string& caller, const std::string& room_id,
                                           const std::string& reply_to) {
  // Membership first: a non-member learns nothing about the room's messages.
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(room_id, caller, nullptr).status());
  absl::StatusOr<Message> target = access_.LoadMessage(room_id, reply_to);
  if (target.status().code() == absl::StatusCode::kNotFound) {
    return status::InvalidFieldError("reply_to", "must be a message of this room");
  }
  if (!target.ok()) return target.status();
  if (target->deleted) return status::InvalidFieldError("reply_to", "the message is deleted");
  return absl::OkStatus();
}

std::vector<std::string> ChatService::MentionCandidates(absl::string_view content) {
  return ResolveMentionCandidates(users_, content);
}

RoomEvent MakeRoomEvent(RoomEvent::Kind kind, const std::string& room_id, ids::UuidGenerator& uuids,
                        ids::Clock& clock) {
  RoomEvent event;
  event.kind = kind;
  event.event_id = uuids.NewV7();
  event.room_id = room_id;
  event.occurred_at = absl::FromUnixMillis(clock.UnixMillis());
  return event;
}

RoomEvent MembershipEvent(RoomEvent::Kind kind, const Room& room, const std::string& user_id,
                          ids::UuidGenerator& uuids, ids::Clock& clock) {
  RoomEvent event = MakeRoomEvent(kind, room.id, uuids, clock);
  event.user_id = user_id;
  // Leaving a public room keeps read access; leaving any other room ends it.
  bool readable_by_anyone = room.kind == RoomKind::kGroup && room.visibility == Visibility::kPublic;
  if (kind == RoomEvent::Kind::kMemberLeft && !readable_by_anyone) {
    event.revoked_user_ids.push_back(user_id);
  }
  return event;
}

std::vector<std::string> ResolveMentionCandidates(UserDirectory& users, absl::string_view content) {
  std::vector<std::string> usernames = MentionedUsernames(content, kMaxMentions);
  if (usernames.empty()) return {};
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> found =
      users.FindByUsernames(usernames);
  if (!found.ok()) {
    // The message matters more than its highlights: it goes out without mentions.
    log::Warn("mentions unresolved", {{"error", std::string(found.status().message())}});
    return {};
  }
  std::vector<std::string> ids;
  for (const std::string& username : usernames) {
    if (auto it = found->find(username); it != found->end()) ids.push_back(it->second.id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Rooms and membership

absl::StatusOr<Room> ChatService::CreateRoom(const std::string& caller, absl::string_view name,
                                             absl::string_view visibility) {
  CHATTER_ASSIGN_OR_RETURN(std::string normalized_name, NormalizeRoomName(name));
  CHATTER_ASSIGN_OR_RETURN(Visibility parsed_visibility, ParseVisibilityField(visibility));
  absl::Time now = Now();
  Room room{.id = uuids_.NewV7(),
            .kind = RoomKind::kGroup,
            .name = std::move(normalized_name),
            .visibility = parsed_visibility,
            .created_by = caller,
            .direct_key = "",
            .created_at = now,
            .member_count = 1,
            .last_seq = 0};
  Membership owner{.room_id = room.id, .user_id = caller, .role = Role::kOwner, .joined_at = now};
  CHATTER_RETURN_IF_ERROR(rooms_.CreateGroup(room, owner));
  return room;
}

absl::StatusOr<std::vector<RoomSummary>> ChatService::ListRooms(const std::string& caller) {
  return rooms_.ListForUser(caller);
}

absl::StatusOr<Room> ChatService::GetRoom(const std::string& caller, absl::string_view room_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadReadable(id, caller));
  return view.room;
}

absl::StatusOr<Room> ChatService::JoinRoom(const std::string& caller, absl::string_view room_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadRoom(id, caller));
  if (view.membership) return view.room;  // Joining again changes nothing.
  if (view.room.kind == RoomKind::kDirect || view.room.visibility == Visibility::kPrivate) {
    return absl::PermissionDeniedError(
        "only public rooms can be joined; an owner or admin adds members to private rooms");
  }
  Membership membership{
      .room_id = id, .user_id = caller, .role = Role::kMember, .joined_at = Now()};
  CHATTER_ASSIGN_OR_RETURN(AddedMember added, rooms_.AddMember(membership));
  if (added.added) PublishMembership(RoomEvent::Kind::kMemberJoined, view.room, caller);
  // Read again: member_count includes the caller and any concurrent joiners.
  CHATTER_ASSIGN_OR_RETURN(RoomForUser joined, access_.LoadRoom(id, caller));
  return joined.room;
}

absl::Status ChatService::LeaveRoom(const std::string& caller, absl::string_view room_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadRoom(id, caller));
  if (view.room.kind == RoomKind::kDirect) {
    return absl::FailedPreconditionError("direct rooms cannot be left");
  }
  CHATTER_ASSIGN_OR_RETURN(std::optional<RemovedMember> removed, rooms_.RemoveMember(id, caller));
  if (removed) PublishMembership(RoomEvent::Kind::kMemberLeft, view.room, caller);
  return absl::OkStatus();  // Not being a member is fine: the caller's goal holds.
}

absl::StatusOr<std::vector<MemberView>> ChatService::ListMembers(const std::string& caller,
                                                                 absl::string_view room_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_RETURN_IF_ERROR(access_.LoadReadable(id, caller).status());
  CHATTER_ASSIGN_OR_RETURN(std::vector<Membership> members, rooms_.ListMembers(id));
  std::vector<std::string> user_ids;
  for (const Membership& member : members) user_ids.push_back(member.user_id);
  absl::flat_hash_map<std::string, UserProfile> names = Usernames(user_ids);
  std::vector<MemberView> views;
  views.reserve(members.size());
  for (Membership& member : members) {
    std::string username = UsernameOf(names, member.user_id);
    views.push_back(MemberView{std::move(member), std::move(username)});
  }
  return views;
}

absl::StatusOr<AddMemberResult> ChatService::AddMember(const std::string& caller,
                                                       absl::string_view room_id,
                                                       absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadReadable(id, caller));
  if (view.room.kind == RoomKind::kDirect) {
    return absl::FailedPreconditionError("direct rooms have exactly their two users");
  }
  if (!MayAddMembers(view.membership)) {
    return absl::PermissionDeniedError("only the room's owner or an admin may add members");
  }
  CHATTER_ASSIGN_OR_RETURN(UserProfile profile, RequireUser("user_id", user));
  Membership membership{.room_id = id, .user_id = user, .role = Role::kMember, .joined_at = Now()};
  CHATTER_ASSIGN_OR_RETURN(AddedMember added, rooms_.AddMember(membership));
  if (added.added) PublishMembership(RoomEvent::Kind::kMemberJoined, view.room, user);
  return AddMemberResult{MemberView{std::move(added.membership), profile.username}, added.added};
}

absl::Status ChatService::RemoveMember(const std::string& caller, absl::string_view room_id,
                                       absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  if (user == caller) return LeaveRoom(caller, id);
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadReadable(id, caller));
  if (view.room.kind == RoomKind::kDirect) {
    return absl::FailedPreconditionError("direct rooms have exactly their two users");
  }
  if (!view.membership || view.membership->role < Role::kAdmin) {
    return absl::PermissionDeniedError("only the room's owner or an admin may remove members");
  }
  CHATTER_ASSIGN_OR_RETURN(RoomForUser target, rooms_.FindForUser(id, user));
  if (!target.membership) {
    return status::FieldError(absl::StatusCode::kNotFound, "user_id", "is not a member",
                              absl::StrCat("user ", user, " is not a member of this room"));
  }
  if (!MayRemove(view.membership->role, target.membership->role)) {
    return absl::PermissionDeniedError(absl::StrCat("a room ", RoleName(view.membership->role),
                                                    " may not remove its ",
                                                    RoleName(target.membership->role)));
  }
  CHATTER_ASSIGN_OR_RETURN(std::optional<RemovedMember> removed, rooms_.RemoveMember(id, user));
  if (removed) PublishMembership(RoomEvent::Kind::kMemberLeft, view.room, user);
  return absl::OkStatus();
}

absl::StatusOr<OpenedRoom> ChatService::OpenDirectRoom(const std::string& caller,
                                                       absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string other, OtherUserId(caller, "user_id", user_id));
  CHATTER_RETURN_IF_ERROR(RequireUser("user_id", other).status());
  CHATTER_ASSIGN_OR_RETURN(bool blocked, contacts_.IsBlockedEitherWay(caller, other));
  if (blocked) return absl::PermissionDeniedError("one of the two users has blocked the other");
  absl::Time now = Now();
  Room room{.id = uuids_.NewV7(),
            .kind = RoomKind::kDirect,
            .name = "",
            .visibility = Visibility::kPrivate,
            .created_by = caller,
            .direct_key = DirectKey(caller, other),
            .created_at = now,
            .member_count = 2,
            .last_seq = 0};
  std::vector<Membership> members;
  for (const std::string& user : {caller, other}) {
    members.push_back(
        Membership{.room_id = room.id, .user_id = user, .role = Role::kMember, .joined_at = now});
  }
  CHATTER_ASSIGN_OR_RETURN(OpenedRoom opened, rooms_.OpenDirect(room, members));
  if (opened.created) {
    for (const std::string& user : {caller, other}) {
      PublishMembership(RoomEvent::Kind::kMemberJoined, opened.room, user);
    }
  }
  return opened;
}

// ---------------------------------------------------------------------------------------------
// Messages

absl::StatusOr<StoredMessage> ChatService::SendMessage(const std::string& caller,
                                                       absl::string_view room_id,
                                                       const SendMessageInput& input) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string content, NormalizeContent(input.content));
  CHATTER_ASSIGN_OR_RETURN(std::optional<std::string> client_msg_id,
                           NormalizeClientMsgId(input.client_msg_id));
  CHATTER_RETURN_IF_ERROR(ValidateAttachments(input.attachments));
  std::optional<std::string> reply_to;
  if (input.reply_to && !input.reply_to->empty()) {
    CHATTER_ASSIGN_OR_RETURN(reply_to, ParseId("reply_to", *input.reply_to));
    CHATTER_RETURN_IF_ERROR(CheckReplyTarget(caller, id, *reply_to));
  }
  std::vector<std::string> mentioned = MentionCandidates(content);
  NewMessage message{.id = uuids_.NewV7(),
                     .room_id = id,
                     .sender_id = caller,
                     .content = std::move(content),
                     .attachments = input.attachments,
                     .client_msg_id = std::move(client_msg_id),
                     .created_at = Now(),
                     .reply_to = std::move(reply_to),
                     .mention_candidates = std::move(mentioned)};
  // The common case is one statement: the insert checks membership and blocks itself.
  CHATTER_ASSIGN_OR_RETURN(std::optional<StoredMessage> inserted, messages_.Insert(message));
  if (!inserted) {
    // Refused: the full checks say why (no room, not a member, blocked).
    Room room;
    CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, &room).status());
    CHATTER_RETURN_IF_ERROR(access_.CheckNotBlocked(room));
    // Allowed by now (joined or unblocked meanwhile): once more.
    CHATTER_ASSIGN_OR_RETURN(inserted, messages_.Insert(message));
    if (!inserted) return absl::AbortedError("room access changed during the send; retry");
  }
  StoredMessage stored = *std::move(inserted);
  if (stored.created && policy_.after_message_commit) policy_.after_message_commit();
  if (stored.created) {
    RoomEvent event = NewEvent(RoomEvent::Kind::kMessageCreated, id);
    event.message = stored.message;
    events_.Publish(std::move(event));
  }
  return stored;
}

absl::StatusOr<MessagePage> ChatService::ListMessages(const std::string& caller,
                                                      absl::string_view room_id,
                                                      std::optional<int> limit,
                                                      std::optional<int64_t> before,
                                                      std::optional<int64_t> after) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(HistoryQuery query, ValidateHistoryQuery(limit, before, after));
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadReadable(id, caller));
  MessagePage page;
  if (query.after) {
    CHATTER_ASSIGN_OR_RETURN(page.messages, messages_.ListAfter(id, *query.after, query.limit));
    // Seq is gap-free, so anything newer than the page's newest message exists exactly when
    // that seq is below the room's last_seq.
    if (!page.messages.empty() && page.messages.back().seq < view.room.last_seq) {
      page.next_after = page.messages.back().seq;
    }
  } else {
    int64_t bound = query.before.value_or(std::numeric_limits<int64_t>::max());
    CHATTER_ASSIGN_OR_RETURN(page.messages, messages_.ListBefore(id, bound, query.limit));
    // Seq starts at 1 and has no gaps: older messages exist exactly when the oldest here is > 1.
    if (!page.messages.empty() && page.messages.back().seq > 1) {
      page.next_before = page.messages.back().seq;
    }
  }
  return page;
}

absl::StatusOr<Message> ChatService::EditMessage(const std::string& caller,
                                                 absl::string_view room_id,
                                                 absl::string_view message_id,
                                                 absl::string_view content) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string message_key, ParseId("message_id", message_id));
  CHATTER_ASSIGN_OR_RETURN(std::string normalized, NormalizeContent(content));
  Room room;
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, &room).status());
  CHATTER_ASSIGN_OR_RETURN(Message message, access_.LoadMessage(id, message_key));
  if (message.sender_id != caller) {
    return absl::PermissionDeniedError("only the sender may edit a message");
  }
  // An edit puts new words in front of the other user, like a send: a block in a direct room
  // stops both. Deleting is not stopped (see DeleteMessage).
  CHATTER_RETURN_IF_ERROR(access_.CheckNotBlocked(room));
  if (message.deleted) return absl::FailedPreconditionError("the message is deleted");
  CHATTER_ASSIGN_OR_RETURN(Message edited, messages_.UpdateContent(message_key, normalized, Now(),
                                                                   MentionCandidates(normalized)));
  RoomEvent event = NewEvent(RoomEvent::Kind::kMessageUpdated, id);
  event.message = edited;
  events_.Publish(std::move(event));
  return edited;
}

absl::StatusOr<Message> ChatService::DeleteMessage(const std::string& caller,
                                                   absl::string_view room_id,
                                                   absl::string_view message_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string message_key, ParseId("message_id", message_id));
  // No block check: taking one's own words back harms nobody, and after a block either user may
  // want exactly that (services/chat/README.md, "Blocks").
  CHATTER_ASSIGN_OR_RETURN(Membership membership, access_.LoadMembership(id, caller, nullptr));
  CHATTER_ASSIGN_OR_RETURN(Message message, access_.LoadMessage(id, message_key));
  if (!MayDeleteMessage(membership, message)) {
    return absl::PermissionDeniedError("only the sender or the room's owner or admins may delete");
  }
  if (message.deleted) return message;  // Idempotent: nothing to publish again.
  CHATTER_ASSIGN_OR_RETURN(DeletedMessage deleted, messages_.MarkDeleted(message_key, Now()));
  if (deleted.changed) {
    RoomEvent event = NewEvent(RoomEvent::Kind::kMessageDeleted, id);
    event.message = deleted.message;
    events_.Publish(std::move(event));
  }
  return deleted.message;
}

absl::StatusOr<int64_t> ChatService::MarkRead(const std::string& caller, absl::string_view room_id,
                                              int64_t seq) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  if (seq < 0) return status::InvalidFieldError("seq", "must not be negative");
  Room room;
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, &room).status());
  CHATTER_RETURN_IF_ERROR(CheckMarkerSeq(seq, room.last_seq));
  CHATTER_ASSIGN_OR_RETURN(ReadMarker marker, rooms_.MarkRead(id, caller, seq));
  if (marker.moved) {
    RoomEvent event = NewEvent(RoomEvent::Kind::kReadReceipt, id);
    event.user_id = caller;
    event.seq = marker.last_read_seq;
    events_.Publish(std::move(event));
  }
  return marker.last_read_seq;
}

// ---------------------------------------------------------------------------------------------
// Contacts, blocks, reports

absl::StatusOr<AddContactResult> ChatService::AddContact(const std::string& caller,
                                                         const ContactTarget& target) {
  UserProfile profile;
  if (target.user_id) {
    CHATTER_ASSIGN_OR_RETURN(std::string id, OtherUserId(caller, "user_id", *target.user_id));
    CHATTER_ASSIGN_OR_RETURN(profile, RequireUser("user_id", id));
  } else if (target.email) {
    CHATTER_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(*target.email));
    absl::StatusOr<UserProfile> found = users_.FindByEmail(email);
    if (found.status().code() == absl::StatusCode::kNotFound) {
      return status::FieldError(absl::StatusCode::kNotFound, "email", "no user has this email",
                                "no user has this email");
    }
    if (!found.ok()) return found.status();
    if (found->id == caller) return status::InvalidFieldError("email", "must not be your own");
    profile = *std::move(found);
  } else {
    return status::InvalidFieldError("user_id", "user_id or email is required");
  }
  Contact contact{.owner_id = caller, .contact_id = profile.id, .created_at = Now()};
  CHATTER_ASSIGN_OR_RETURN(StoredContact stored, contacts_.Add(contact));
  return AddContactResult{ContactView{std::move(stored.contact), profile.username}, stored.created};
}

absl::StatusOr<std::vector<ContactView>> ChatService::ListContacts(const std::string& caller) {
  CHATTER_ASSIGN_OR_RETURN(std::vector<Contact> contacts, contacts_.List(caller));
  std::vector<std::string> ids;
  for (const Contact& contact : contacts) ids.push_back(contact.contact_id);
  absl::flat_hash_map<std::string, UserProfile> names = Usernames(ids);
  std::vector<ContactView> views;
  views.reserve(contacts.size());
  for (Contact& contact : contacts) {
    std::string username = UsernameOf(names, contact.contact_id);
    views.push_back(ContactView{std::move(contact), std::move(username)});
  }
  return views;
}

absl::Status ChatService::BlockUser(const std::string& caller, absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string other, OtherUserId(caller, "user_id", user_id));
  CHATTER_RETURN_IF_ERROR(RequireUser("user_id", other).status());
  return contacts_.Block(caller, other, Now());
}

absl::Status ChatService::UnblockUser(const std::string& caller, absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string other, OtherUserId(caller, "user_id", user_id));
  return contacts_.Unblock(caller, other);
}

absl::StatusOr<std::string> ChatService::ReportUser(const std::string& caller,
                                                    absl::string_view user_id,
                                                    absl::string_view reason) {
  CHATTER_ASSIGN_OR_RETURN(std::string other, OtherUserId(caller, "user_id", user_id));
  CHATTER_ASSIGN_OR_RETURN(std::string normalized_reason, NormalizeReason(reason));
  CHATTER_RETURN_IF_ERROR(RequireUser("user_id", other).status());
  absl::Time now = Now();
  CHATTER_ASSIGN_OR_RETURN(int recent, contacts_.CountReportsSince(caller, now - kReportWindow));
  if (recent >= policy_.max_reports_per_day) {
    return status::RateLimitedError("too many reports; try again later", kReportRetryAfterSeconds);
  }
  Report report{.id = uuids_.NewV7(),
                .reporter_id = caller,
                .reported_id = other,
                .reason = std::move(normalized_reason),
                .created_at = now};
  CHATTER_RETURN_IF_ERROR(contacts_.CreateReport(report));
  return report.id;
}

// ---------------------------------------------------------------------------------------------
// Internal

absl::StatusOr<std::vector<RoomAccessResult>> ChatService::CheckRoomAccess(
    absl::string_view user_id, const std::vector<std::string>& room_ids) {
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  if (room_ids.empty() || room_ids.size() > static_cast<size_t>(kMaxAccessChecks)) {
    return status::InvalidFieldError("room_ids", "must hold 1-100 room ids");
  }
  std::vector<std::optional<std::string>> normalized;
  std::vector<std::string> valid;
  for (const std::string& room_id : room_ids) {
    absl::StatusOr<std::string> id = ParseId("room_ids", room_id);
    normalized.push_back(id.ok() ? std::optional<std::string>(*id) : std::nullopt);
    if (id.ok()) valid.push_back(*id);
  }
  CHATTER_ASSIGN_OR_RETURN(std::vector<RoomForUser> found, rooms_.FindManyForUser(valid, user));
  absl::flat_hash_map<std::string, const RoomForUser*> by_id;
  for (const RoomForUser& view : found) by_id[view.room.id] = &view;
  std::vector<RoomAccessResult> results;
  for (size_t i = 0; i < room_ids.size(); ++i) {
    RoomAccessResult result{.room_id = room_ids[i], .code = "not_found"};
    auto it = normalized[i] ? by_id.find(*normalized[i]) : by_id.end();
    if (it != by_id.end()) {
      const RoomForUser& view = *it->second;
      result.allowed = MayRead(view);
      result.code = result.allowed ? "" : "permission_denied";
      result.member = view.membership.has_value();
      result.last_seq = result.allowed ? view.room.last_seq : 0;
    }
    results.push_back(std::move(result));
  }
  return results;
}

absl::StatusOr<ReplayPage> ChatService::ListMessagesSince(absl::string_view user_id,
                                                          absl::string_view room_id,
                                                          int64_t since_seq, int limit) {
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  if (since_seq < 0) return status::InvalidFieldError("since_seq", "must not be negative");
  if (limit == 0) limit = kDefaultReplayLimit;
  if (limit < 1 || limit > kMaxReplayLimit) {
    return status::InvalidFieldError("limit", "must be 1-1000");
  }
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, access_.LoadReadable(id, user));
  // One more than asked tells whether more follow without counting.
  CHATTER_ASSIGN_OR_RETURN(std::vector<Message> messages,
                           messages_.ListAfter(id, since_seq, limit + 1));
  ReplayPage page;
  page.last_seq = view.room.last_seq;
  if (!messages.empty()) page.last_seq = std::max(page.last_seq, messages.back().seq);
  page.truncated = messages.size() > static_cast<size_t>(limit);
  if (page.truncated) messages.resize(limit);
  page.messages = std::move(messages);
  return page;
}

absl::StatusOr<BlockRelations> ChatService::GetBlockRelations(absl::string_view user_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string user, ParseId("user_id", user_id));
  return contacts_.Relations(user);
}

}  // namespace chatter::chat
