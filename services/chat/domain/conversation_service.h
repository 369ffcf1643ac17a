// Replies, reactions, delivery receipts and search (API.md "Replies, reactions, mentions,
// receipts, search"): the rules around messages that ChatService stores. Sending a reply and
// mentions belong to ChatService::SendMessage; this class lists replies, keeps reactions and
// delivered markers, and searches.
//
// Access follows the messages' rules (RoomAccess): reading replies and reactions needs read access
// to the room; reacting, receipts and search need membership (search: the rooms the caller is a
// member of now). Errors are NOT_FOUND / PERMISSION_DENIED as for messages, INVALID_ARGUMENT
// naming the field for bad input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/domain/delivery_markers.h"
#include "services/chat/domain/event_publisher.h"
#include "services/chat/domain/repositories.h"
#include "services/chat/domain/room_access.h"

namespace chatter::chat {

// The most distinct emoji one message may carry (ABORTED, HTTP 409, beyond).
inline constexpr int kMaxDistinctReactions = 20;
inline constexpr int kMaxSearchQueryChars = 200;
inline constexpr int kDefaultSearchLimit = 20;
inline constexpr int kMaxSearchLimit = 50;

struct ReplyPage {
  std::vector<Message> messages = {};      // Oldest first.
  std::optional<int64_t> next_after = {};  // Set when more replies follow.
};

struct SearchResult {
  Message message = {};
  std::string snippet_html = {};  // Escaped HTML; matches inside <mark>…</mark>.
};

struct SearchPage {
  std::vector<SearchResult> results = {};       // Newest first.
  std::optional<std::string> next_before = {};  // The cursor of the next page.
};

struct SearchInput {
  std::string q = {};
  std::optional<std::string> room_id = {};  // Unset or "": every room of the caller.
  std::optional<int> limit = {};
  std::optional<std::string> before = {};  // A cursor from next_before.
};

class ConversationService {
 public:
  // Everything must outlive this.
  ConversationService(RoomRepository& rooms, MessageRepository& messages,
                      ContactRepository& contacts, ConversationRepository& conversations,
                      DeliveryMarkers& delivered, EventPublisher& events, ids::UuidGenerator& uuids,
                      ids::Clock& clock);

  absl::StatusOr<ReplyPage> ListReplies(const std::string& caller, absl::string_view room_id,
                                        absl::string_view message_id, std::optional<int> limit,
                                        std::optional<int64_t> after);
  // Idempotent; publishes reaction_added / reaction_removed only when something changed.
  absl::Status AddReaction(const std::string& caller, absl::string_view room_id,
                           absl::string_view message_id, absl::string_view emoji);
  absl::Status RemoveReaction(const std::string& caller, absl::string_view room_id,
                              absl::string_view message_id, absl::string_view emoji);
  // Moves the caller's delivered marker forward (coalesced: see DeliveryMarkers).
  absl::Status MarkDelivered(const std::string& caller, absl::string_view room_id, int64_t seq);
  absl::StatusOr<std::vector<Receipt>> ListReceipts(const std::string& caller,
                                                    absl::string_view room_id);
  absl::StatusOr<SearchPage> Search(const std::string& caller, const SearchInput& input);
  // Sets each message's reactions as `reader` sees them: one query for all of them.
  absl::Status AttachReactions(const std::string& reader, std::vector<Message>& messages);
  absl::Status AttachReactions(const std::string& reader, Message& message);
  // The same for the rooms' last messages.
  absl::Status AttachReactions(const std::string& reader, std::vector<RoomSummary>& rooms);

 private:
  // The message in a room the caller is a member of, not deleted (for reactions).
  absl::StatusOr<Message> LoadReactable(const std::string& caller, absl::string_view room_id,
                                        absl::string_view message_id, std::string& emoji,
                                        bool adding);
  void PublishReaction(RoomEvent::Kind kind, const Message& message, const std::string& caller,
                       const std::string& emoji);

  RoomAccess access_;
  ConversationRepository& conversations_;
  DeliveryMarkers& delivered_;
  EventPublisher& events_;
  ids::UuidGenerator& uuids_;
  ids::Clock& clock_;
};

}  // namespace chatter::chat
