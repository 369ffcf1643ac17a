// chat-svc's rules: rooms, membership, direct rooms, ordered messages, read markers, contacts,
// blocks and reports, and who may do what. Storage, the user directory, event publishing, ids
// and time come in through the constructor, so tests run it against fakes.
//
// Every method takes the caller's user id (from a verified token, lower-case) first; other ids
// arrive as the client sent them and are validated here (INVALID_ARGUMENT naming the field).
// Errors: NOT_FOUND for a well-formed id of nothing, PERMISSION_DENIED when the caller may not.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "services/chat/domain/event_publisher.h"
#include "services/chat/domain/repositories.h"
#include "services/chat/domain/room_access.h"
#include "services/chat/domain/user_directory.h"
#include "services/chat/domain/validation.h"

namespace chatter::chat {

// At most this many distinct @usernames of one message are looked up and kept as mentions.
inline constexpr size_t kMaxMentions = 20;

struct ChatPolicy {
  // Reports one user may file per rolling 24 hours (RESOURCE_EXHAUSTED beyond).
  int max_reports_per_day = 20;
  // Fault injection for tests: runs after a new message is committed, before its event is
  // published (a crash here is the window the gateways' gap filling covers).
  std::function<void()> after_message_commit = {};
};

struct MemberView {
  Membership membership = {};
  std::string username = {};  // "" when the user directory could not answer.
};

struct AddMemberResult {
  MemberView member = {};
  bool created = false;
};

struct ContactView {
  Contact contact = {};
  std::string username = {};  // "" when the user directory could not answer.
};

struct AddContactResult {
  ContactView contact = {};
  bool created = false;
};

// Whom AddContact adds: exactly one of the two should be set.
struct ContactTarget {
  std::optional<std::string> user_id = {};
  std::optional<std::string> email = {};
};

struct SendMessageInput {
  std::string content = {};
  std::optional<std::string> reply_to = {};  // Unset or "": not a reply.
  std::optional<std::string> client_msg_id = {};
  std::vector<Attachment> attachments = {};
};

struct MessagePage {
  std::vector<Message> messages = {};
  std::optional<int64_t> next_before = {};  // Newest-first mode: there are older messages.
  std::optional<int64_t> next_after = {};   // Oldest-first mode: there are newer messages.
};

struct ReplayPage {
  std::vector<Message> messages = {};  // Oldest first.
  bool truncated = false;
  int64_t last_seq = 0;
};

struct RoomAccessResult {
  std::string room_id = {};  // As asked.
  bool allowed = false;
  std::string code = {};  // "", "not_found" or "permission_denied".
  bool member = false;
  int64_t last_seq = 0;
};

class ChatService {
 public:
  ChatService(ChatPolicy policy, RoomRepository& rooms, MessageRepository& messages,
              ContactRepository& contacts, UserDirectory& users, EventPublisher& events,
              ids::UuidGenerator& uuids, ids::Clock& clock);

  // Rooms and membership.
  absl::StatusOr<Room> CreateRoom(const std::string& caller, absl::string_view name,
                                  absl::string_view visibility);
  absl::StatusOr<std::vector<RoomSummary>> ListRooms(const std::string& caller);
  absl::StatusOr<Room> GetRoom(const std::string& caller, absl::string_view room_id);
  absl::StatusOr<Room> JoinRoom(const std::string& caller, absl::string_view room_id);
  absl::Status LeaveRoom(const std::string& caller, absl::string_view room_id);
  absl::StatusOr<std::vector<MemberView>> ListMembers(const std::string& caller,
                                                      absl::string_view room_id);
  absl::StatusOr<AddMemberResult> AddMember(const std::string& caller, absl::string_view room_id,
                                            absl::string_view user_id);
  absl::Status RemoveMember(const std::string& caller, absl::string_view room_id,
                            absl::string_view user_id);
  absl::StatusOr<OpenedRoom> OpenDirectRoom(const std::string& caller, absl::string_view user_id);

  // Messages.
  absl::StatusOr<StoredMessage> SendMessage(const std::string& caller, absl::string_view room_id,
                                            const SendMessageInput& input);
  absl::StatusOr<MessagePage> ListMessages(const std::string& caller, absl::string_view room_id,
                                           std::optional<int> limit, std::optional<int64_t> before,
                                           std::optional<int64_t> after);
  absl::StatusOr<Message> EditMessage(const std::string& caller, absl::string_view room_id,
                                      absl::string_view message_id, absl::string_view content);
  absl::StatusOr<Message> DeleteMessage(const std::string& caller, absl::string_view room_id,
                                        absl::string_view message_id);
  // The caller's read marker after the call.
  absl::StatusOr<int64_t> MarkRead(const std::string& caller, absl::string_view room_id,
                                   int64_t seq);

  // Contacts, blocks, reports.
  absl::StatusOr<AddContactResult> AddContact(const std::string& caller,
                                              const ContactTarget& target);
  absl::StatusOr<std::vector<ContactView>> ListContacts(const std::string& caller);
  absl::Status BlockUser(const std::string& caller, absl::string_view user_id);
  absl::Status UnblockUser(const std::string& caller, absl::string_view user_id);
  // The new report's id.
  absl::StatusOr<std::string> ReportUser(const std::string& caller, absl::string_view user_id,
                                         absl::string_view reason);

  // Internal (service callers act for `user_id`).
  absl::StatusOr<std::vector<RoomAccessResult>> CheckRoomAccess(
      absl::string_view user_id, const std::vector<std::string>& room_ids);
  absl::StatusOr<ReplayPage> ListMessagesSince(absl::string_view user_id, absl::string_view room_id,
                                               int64_t since_seq, int limit);
  absl::StatusOr<BlockRelations> GetBlockRelations(absl::string_view user_id);

 private:
  absl::Time Now() const;
  RoomEvent NewEvent(RoomEvent::Kind kind, const std::string& room_id);
  // The user's profile; NOT_FOUND naming `field` when there is no such user.
  absl::StatusOr<UserProfile> RequireUser(absl::string_view field, const std::string& user_id);
  // An id of another user than the caller (INVALID_ARGUMENT naming `field` otherwise).
  absl::StatusOr<std::string> OtherUserId(const std::string& caller, absl::string_view field,
                                          absl::string_view user_id);
  // Usernames by id; empty when the directory cannot answer (lists still render).
  absl::flat_hash_map<std::string, UserProfile> Usernames(const std::vector<std::string>& ids);
  void PublishMembership(RoomEvent::Kind kind, const Room& room, const std::string& user_id);
  // OK when the caller is a member and `reply_to` a message of the room that is not deleted;
  // INVALID_ARGUMENT naming "reply_to" for a bad target.
  absl::Status CheckReplyTarget(const std::string& caller, const std::string& room_id,
                                const std::string& reply_to);
  // Ids of the users @mentioned in `content` (storage keeps the room's members among them).
  std::vector<std::string> MentionCandidates(absl::string_view content);

  ChatPolicy policy_;
  RoomRepository& rooms_;
  MessageRepository& messages_;
  ContactRepository& contacts_;
  UserDirectory& users_;
  EventPublisher& events_;
  ids::UuidGenerator& uuids_;
  ids::Clock& clock_;
  RoomAccess access_;
};

// A new event of `kind` in `room_id`: a fresh UUIDv7 id, occurred now.
RoomEvent MakeRoomEvent(RoomEvent::Kind kind, const std::string& room_id, ids::UuidGenerator& uuids,
                        ids::Clock& clock);
// member_joined / member_left of `user_id`; leaving a room that is not public ends the user's
// read access (revoked_user_ids).
RoomEvent MembershipEvent(RoomEvent::Kind kind, const Room& room, const std::string& user_id,
                          ids::UuidGenerator& uuids, ids::Clock& clock);
// Ids of the users @mentioned in `content` (storage keeps the room's members among them); none
// when the directory cannot answer (the message matters more than its highlights).
std::vector<std::string> ResolveMentionCandidates(UserDirectory& users, absl::string_view content);

// "<smaller id>:<larger id>": one key per pair of users, whoever opens the room.
std::string DirectKey(const std::string& user_a, const std::string& user_b);

}  // namespace chatter::chat
