// Storage seams of chat-svc; PostgreSQL implementations live in storage/, fakes in tests/fakes/.
// Ids passed in are already validated, lower-case UUIDs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/chat/domain/model.h"

namespace chatter::chat {

struct OpenedRoom {
  Room room = {};
  bool created = false;
};

struct AddedMember {
  Membership membership = {};  // The stored one: new, or the existing one when `added` is false.
  bool added = false;
};

struct RemovedMember {
  Role role = Role::kMember;                  // The role the user had.
  std::optional<std::string> new_owner = {};  // Set when an owner left and somebody took over.
};

struct ReadMarker {
  int64_t last_read_seq = 0;  // After the call.
  bool moved = false;
};

struct DeletedMessage {
  Message message = {};
  bool changed = false;  // False when it was deleted already.
};

struct StoredContact {
  Contact contact = {};
  bool created = false;
};

// One page of the public room directory: group rooms whose visibility is public, newest (largest
// UUIDv7 id) first, with an id below `before_id` and, when `name_contains` is set, a name holding
// it case-insensitively. At most `limit` rooms.
struct PublicRoomQuery {
  std::optional<std::string> name_contains = {};
  std::optional<std::string> before_id = {};
  int limit = 20;
};

// Rooms and memberships.
class RoomRepository {
 public:
  virtual ~RoomRepository() = default;
  // Inserts a group room and its owner's membership in one transaction.
  virtual absl::Status CreateGroup(const Room& room, const Membership& owner) = 0;
  // Inserts the direct room of room.direct_key with both users (`members`) as members, or, when
  // that key exists (also when a concurrent call created it a moment ago), answers the existing
  // room: concurrent opens converge on one room.
  virtual absl::StatusOr<OpenedRoom> OpenDirect(const Room& room,
                                                const std::vector<Membership>& members) = 0;
  // The room and `user_id`'s membership in it; NOT_FOUND when the room does not exist.
  virtual absl::StatusOr<RoomForUser> FindForUser(absl::string_view room_id,
                                                  absl::string_view user_id) = 0;
  // The rooms among `room_ids` that exist (any order), each with `user_id`'s membership.
  virtual absl::StatusOr<std::vector<RoomForUser>> FindManyForUser(
      const std::vector<std::string>& room_ids, absl::string_view user_id) = 0;
  // Every room `user_id` belongs to, with the last message, most recent activity first.
  virtual absl::StatusOr<std::vector<RoomSummary>> ListForUser(absl::string_view user_id) = 0;
  // Public group rooms as `query` asks (never private or direct ones).
  virtual absl::StatusOr<std::vector<Room>> ListPublic(const PublicRoomQuery& query) = 0;
  // Members of a room, earliest joined first.
  virtual absl::StatusOr<std::vector<Membership>> ListMembers(absl::string_view room_id) = 0;
  // Adds the membership unless the user is a member already (member_count follows).
  virtual absl::StatusOr<AddedMember> AddMember(const Membership& membership) = 0;
  // Removes a membership (member_count follows). When the owner goes, ownership passes to the
  // earliest-joined admin, else the earliest-joined member, in the same transaction.
  // nullopt when the user was not a member.
  virtual absl::StatusOr<std::optional<RemovedMember>> RemoveMember(absl::string_view room_id,
                                                                    absl::string_view user_id) = 0;
  // Moves the member's read marker up to `seq`, never down. NOT_FOUND when not a member.
  virtual absl::StatusOr<ReadMarker> MarkRead(absl::string_view room_id, absl::string_view user_id,
                                              int64_t seq) = 0;
};

// Messages: the ordered history of each room.
class MessageRepository {
 public:
  virtual ~MessageRepository() = default;
  // Stores the message with the room's next seq (gap-free, strictly increasing per room also
  // under concurrent senders) and moves the sender's read marker to it, atomically, if the
  // sender may send there now: a member, and in a direct room neither user blocks the other.
  // Checked in the same step, so a send costs one round trip. nullopt when the room does not
  // exist or the sender may not send (the caller finds out which). When the sender already used
  // message.client_msg_id in the room, answers that first message with created=false and uses
  // no seq.
  virtual absl::StatusOr<std::optional<StoredMessage>> Insert(const NewMessage& message) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Message> FindById(absl::string_view message_id) = 0;
  // Up to `limit` messages with seq < before_seq, newest first.
  virtual absl::StatusOr<std::vector<Message>> ListBefore(absl::string_view room_id,
                                                          int64_t before_seq, int limit) = 0;
  // Up to `limit` messages with seq > after_seq, oldest first.
  virtual absl::StatusOr<std::vector<Message>> ListAfter(absl::string_view room_id,
                                                         int64_t after_seq, int limit) = 0;
  // Replaces the content and sets edited/updated_at. NOT_FOUND when absent; FAILED_PRECONDITION
  // when the message is deleted (also when a delete won a race with this edit).
  virtual absl::StatusOr<Message> UpdateContent(
      absl::string_view message_id, absl::string_view content, absl::Time now,
      const std::vector<std::string>& mention_candidates) = 0;
  // Erases content and attachments and sets deleted/updated_at; the slot stays. NOT_FOUND when
  // absent.
  virtual absl::StatusOr<DeletedMessage> MarkDeleted(absl::string_view message_id,
                                                     absl::Time now) = 0;
};

// Stores many sends in one step (group commit). Each entry is answered exactly as
// MessageRepository::Insert would answer it alone, in input order; messages of one room get
// consecutive seqs in input order. No two entries may share a (room, sender, client_msg_id).
class MessageBatchWriter {
 public:
  virtual ~MessageBatchWriter() = default;
  virtual absl::StatusOr<std::vector<std::optional<StoredMessage>>> InsertBatch(
      const std::vector<NewMessage>& messages) = 0;
};

// A delivered marker to move: `user_id`'s in `room_id`, up to `seq`.
struct DeliveredMarker {
  std::string room_id = {};
  std::string user_id = {};
  int64_t seq = 0;
};

enum class ReactionChange {
  kChanged,      // Added or removed now.
  kUnchanged,    // Already there (add) or not there (remove).
  kTooMany,      // The message has the most distinct emoji allowed, and this one is new.
  kMessageGone,  // The message is deleted (or absent).
};

// What a full-text search asks: `user_id`'s rooms (or just `room_id`, if a member), messages
// matching `tsquery` (to_tsquery('english') syntax, built by SearchQueryText) with an id below
// `before_id`, newest first.
struct SearchQuery {
  std::string user_id = {};
  std::string tsquery = {};
  std::optional<std::string> room_id = {};
  std::optional<std::string> before_id = {};
  int limit = 20;
};

// Replies, reactions, delivery receipts and search: what a conversation holds around messages.
class ConversationRepository {
 public:
  virtual ~ConversationRepository() = default;
  // Replies to `message_id` in `room_id` with seq > after_seq, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<Message>> ListReplies(absl::string_view room_id,
                                                           absl::string_view message_id,
                                                           int64_t after_seq, int limit) = 0;
  // Adds `user_id`'s `emoji` to a message unless there. Serialised per message, so the limit of
  // `max_distinct` emoji holds under concurrent reactors.
  virtual absl::StatusOr<ReactionChange> AddReaction(absl::string_view message_id,
                                                     absl::string_view emoji,
                                                     absl::string_view user_id, absl::Time now,
                                                     int max_distinct) = 0;
  virtual absl::StatusOr<ReactionChange> RemoveReaction(absl::string_view message_id,
                                                        absl::string_view emoji,
                                                        absl::string_view user_id) = 0;
  // Reactions of each of `message_ids` (absent: none) as `reader` sees them, first reacted first.
  virtual absl::StatusOr<absl::flat_hash_map<std::string, std::vector<ReactionCount>>> Reactions(
      const std::vector<std::string>& message_ids, absl::string_view reader) = 0;
  // Every member's markers, earliest joined first.
  virtual absl::StatusOr<std::vector<Receipt>> ListReceipts(absl::string_view room_id) = 0;
  // Moves each member's delivered marker up to its seq, never down and never past the room's
  // last_seq, in one statement; answers the markers that moved, with their new seq. Markers of
  // users who are not members (any more) are skipped.
  virtual absl::StatusOr<std::vector<DeliveredMarker>> MarkDelivered(
      const std::vector<DeliveredMarker>& markers) = 0;
  // Up to query.limit hits, newest first.
  virtual absl::StatusOr<std::vector<SearchHit>> Search(const SearchQuery& query) = 0;
};

// What one user records about another: contacts, blocks and reports.
class ContactRepository {
 public:
  virtual ~ContactRepository() = default;
  // Adds the contact unless present; answers the stored one (with its `blocked` flag).
  virtual absl::StatusOr<StoredContact> Add(const Contact& contact) = 0;
  // The owner's contacts, most recently added first, with `blocked` set.
  virtual absl::StatusOr<std::vector<Contact>> List(absl::string_view owner_id) = 0;
  // Idempotent.
  virtual absl::Status Block(absl::string_view blocker_id, absl::string_view blocked_id,
                             absl::Time now) = 0;
  // Idempotent.
  virtual absl::Status Unblock(absl::string_view blocker_id, absl::string_view blocked_id) = 0;
  // True when either user blocks the other.
  virtual absl::StatusOr<bool> IsBlockedEitherWay(absl::string_view user_a,
                                                  absl::string_view user_b) = 0;
  virtual absl::StatusOr<BlockRelations> Relations(absl::string_view user_id) = 0;
  virtual absl::Status CreateReport(const Report& report) = 0;
  // How many reports `reporter_id` filed at or after `since`.
  virtual absl::StatusOr<int> CountReportsSince(absl::string_view reporter_id,
                                                absl::Time since) = 0;
};

}  // namespace chatter::chat
