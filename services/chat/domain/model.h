// chat-svc's domain records: rooms, memberships, messages, contacts and the events published
// after a change, as the domain sees them (no proto, no SQL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace chatter::chat {

enum class RoomKind { kGroup, kDirect };
enum class Visibility { kPublic, kPrivate };
// Ordered by power: a higher role may do everything a lower one may.
enum class Role { kMember = 0, kAdmin = 1, kOwner = 2 };
// Who wrote a message: a user through the API, or the platform through the server API
// (ChatAdmin) as the system or as a bot.
enum class SenderKind { kUser, kSystem, kBot };

// Wire and database spellings ("group", "public", "owner", ...).
absl::string_view KindName(RoomKind kind);
absl::string_view VisibilityName(Visibility visibility);
absl::string_view RoleName(Role role);
std::optional<RoomKind> ParseKind(absl::string_view name);
std::optional<Visibility> ParseVisibility(absl::string_view name);
std::optional<Role> ParseRole(absl::string_view name);
absl::string_view SenderKindName(SenderKind kind);
std::optional<SenderKind> ParseSenderKind(absl::string_view name);

struct Room {
  std::string id = {};
  RoomKind kind = RoomKind::kGroup;
  std::string name = {};  // "" for direct rooms.
  Visibility visibility = Visibility::kPublic;
  std::string created_by = {};
  // Direct rooms only: "<smaller user id>:<larger user id>" (lower-case UUIDs), unique.
  std::string direct_key = {};
  absl::Time created_at = {};
  int member_count = 0;
  int64_t last_seq = 0;  // Seq of the newest message; seq is gap-free, so also their number.
};

struct Membership {
  std::string room_id = {};
  std::string user_id = {};
  Role role = Role::kMember;
  absl::Time joined_at = {};
  int64_t last_read_seq = 0;
};

// A room as one user may see it: the room, and that user's membership if any.
struct RoomForUser {
  Room room = {};
  std::optional<Membership> membership = {};
};

struct Attachment {
  std::string url = {};
  std::string content_type = {};
  int64_t size_bytes = 0;
  std::string name = {};
};

// One emoji's reactions to a message, as one reader sees them.
struct ReactionCount {
  std::string emoji = {};
  int count = 0;
  bool me = false;  // The reader is among them.
};

struct Message {
  std::string id = {};
  std::string room_id = {};
  int64_t seq = 0;
  std::string sender_id = {};
  std::string content = {};  // "" once deleted.
  std::vector<Attachment> attachments = {};
  std::string client_msg_id = {};  // "" when the sender gave none.
  absl::Time created_at = {};
  absl::Time updated_at = {};
  bool edited = false;
  bool deleted = false;
  // Replies, mentions and reactions; a deleted message keeps none of them.
  std::string reply_to = {};                  // "" unless a reply.
  int reply_count = 0;                        // Replies that are not deleted.
  std::vector<std::string> mentions = {};     // Mentioned members' ids, in order of appearance.
  std::vector<ReactionCount> reactions = {};  // Filled per reader; first reacted first.
  SenderKind sender_kind = SenderKind::kUser;
};

// What SendMessage hands to storage; storage assigns seq.
struct NewMessage {
  std::string id = {};
  std::string room_id = {};
  std::string sender_id = {};
  std::string content = {};
  std::vector<Attachment> attachments = {};
  std::optional<std::string> client_msg_id = {};
  absl::Time created_at = {};
  std::optional<std::string> reply_to = {};  // A message of the same room, checked by the caller.
  // Users named by @username; storage keeps those who are members of the room at that moment.
  std::vector<std::string> mention_candidates = {};
  // Anything but kUser is the platform's (MessageRepository::InsertFromService stores those).
  SenderKind sender_kind = SenderKind::kUser;
};

// A message stored now (created) or found by its client_msg_id (not created).
struct StoredMessage {
  Message message = {};
  bool created = false;
};

// One entry of a user's room list. unread_count = last_seq - last_read_seq: exact, because seq
// is gap-free and a sender's own marker moves to each message they send (see README.md).
struct RoomSummary {
  Room room = {};
  int64_t last_read_seq = 0;
  int64_t unread_count = 0;
  int64_t unread_mentions = 0;  // Mentions of the user above their read marker.
  std::optional<Message> last_message = {};
};

// A member's delivery and read markers (delivered_seq >= read_seq always).
struct Receipt {
  std::string user_id = {};
  int64_t delivered_seq = 0;
  int64_t read_seq = 0;
};

// One search result: the message and an excerpt with matches between kMarkStart and kMarkStop.
struct SearchHit {
  Message message = {};
  std::string headline = {};
};

struct Contact {
  std::string owner_id = {};
  std::string contact_id = {};
  absl::Time created_at = {};
  bool blocked = false;  // The owner blocks the contact.
};

struct Report {
  std::string id = {};
  std::string reporter_id = {};
  std::string reported_id = {};
  std::string reason = {};
  absl::Time created_at = {};
};

struct BlockRelations {
  std::vector<std::string> blocked_user_ids = {};     // Whom the user blocked.
  std::vector<std::string> blocked_by_user_ids = {};  // Who blocked the user.
};

// Something committed that realtime-svc should fan out to the room's subscribers.
struct RoomEvent {
  enum class Kind {
    kMessageCreated,
    kMessageUpdated,
    kMessageDeleted,
    kReadReceipt,
    kMemberJoined,
    kMemberLeft,
    // Not a change: the room's newest seq (in `seq`), sent after message events may have been
    // lost so that gateways fill the gap from history.
    kRoomHead,
    kReactionAdded,
    kReactionRemoved,
    kDeliveryReceipt,
  };
  Kind kind = Kind::kMessageCreated;
  std::string event_id = {};
  std::string room_id = {};
  absl::Time occurred_at = {};
  Message message = {};      // Message kinds.
  std::string user_id = {};  // Receipts, reactions and membership changes.
  int64_t seq = 0;  // Read and delivery receipts: the new marker. Room heads: the newest seq.
  std::string message_id = {};                     // Reactions.
  std::string emoji = {};                          // Reactions.
  std::vector<std::string> revoked_user_ids = {};  // Users who lost read access with this event.
  std::string request_id = {};  // The request that caused it, for logs (set when published).
};

}  // namespace chatter::chat
