// Replies, reactions, delivery receipts and search. Checks run in the contract's order: input
// (400), the room (404), the caller's rights (403), the target (404/400), then the change.
#include "services/chat/domain/conversation_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"
#include "services/chat/domain/emoji.h"
#include "services/chat/domain/search_text.h"
#include "services/chat/domain/validation.h"

namespace chatter::chat {

ConversationService::ConversationService(RoomRepository& rooms, MessageRepository& messages,
                                         ContactRepository& contacts,
                                         ConversationRepository& conversations,
                                         DeliveryMarkers& delivered, EventPublisher& events,
                                         ids::UuidGenerator& uuids, ids::Clock& clock)
    : access_(rooms, messages, contacts),
      conversations_(conversations),
      delivered_(delivered),
      events_(events),
      uuids_(uuids),
      clock_(clock) {}

absl::StatusOr<ReplyPage> ConversationService::ListReplies(const std::string& caller,
                                                           absl::string_view room_id,
                                                           absl::string_view message_id,
                                                           std::optional<int> limit,
                                                           std::optional<int64_t> after) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string parent, ParseId("message_id", message_id));
  CHATTER_ASSIGN_OR_RETURN(HistoryQuery query,
                           ValidateHistoryQuery(limit, std::nullopt, after.value_or(0)));
  CHATTER_RETURN_IF_ERROR(access_.LoadReadable(id, caller).status());
  CHATTER_RETURN_IF_ERROR(access_.LoadMessage(id, parent).status());
  // One more than asked tells whether more follow without counting.
  CHATTER_ASSIGN_OR_RETURN(std::vector<Message> replies,
                           conversations_.ListReplies(id, parent, *query.after, query.limit + 1));
  ReplyPage page;
  if (replies.size() > static_cast<size_t>(query.limit)) {
    replies.resize(query.limit);
    page.next_after = replies.back().seq;
  }
  CHATTER_RETURN_IF_ERROR(AttachReactions(caller, replies));
  page.messages = std::move(replies);
  return page;
}

absl::StatusOr<Message> ConversationService::LoadReactable(const std::string& caller,
                                                           absl::string_view room_id,
                                                           absl::string_view message_id,
                                                           std::string& emoji, bool adding) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_ASSIGN_OR_RETURN(std::string message_key, ParseId("message_id", message_id));
  CHATTER_ASSIGN_OR_RETURN(emoji, NormalizeEmoji(emoji));
  Room room;
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, &room).status());
  CHATTER_ASSIGN_OR_RETURN(Message message, access_.LoadMessage(id, message_key));
  // Reacting speaks to the other user, like an edit: a block in a direct room stops it.
  // Taking a reaction back is always allowed.
  if (adding) CHATTER_RETURN_IF_ERROR(access_.CheckNotBlocked(room));
  if (adding && message.deleted) return absl::FailedPreconditionError("the message is deleted");
  return message;
}

void ConversationService::PublishReaction(RoomEvent::Kind kind, const Message& message,
                                          const std::string& caller, const std::string& emoji) {
  RoomEvent event;
  event.kind = kind;
  event.event_id = uuids_.NewV7();
  event.room_id = message.room_id;
  event.occurred_at = absl::FromUnixMillis(clock_.UnixMillis());
  event.message_id = message.id;
  event.emoji = emoji;
  event.user_id = caller;
  events_.Publish(std::move(event));
}

absl::Status ConversationService::AddReaction(const std::string& caller, absl::string_view room_id,
                                              absl::string_view message_id,
                                              absl::string_view emoji) {
  std::string key(emoji);
  CHATTER_ASSIGN_OR_RETURN(Message message, LoadReactable(caller, room_id, message_id, key, true));
  CHATTER_ASSIGN_OR_RETURN(
      ReactionChange change,
      conversations_.AddReaction(message.id, key, caller, absl::FromUnixMillis(clock_.UnixMillis()),
                                 kMaxDistinctReactions));
  switch (change) {
    case ReactionChange::kChanged:
      PublishReaction(RoomEvent::Kind::kReactionAdded, message, caller, key);
      return absl::OkStatus();
    case ReactionChange::kUnchanged:
      return absl::OkStatus();
    case ReactionChange::kTooMany:
      return absl::AbortedError(
          absl::StrCat("a message carries at most ", kMaxDistinctReactions, " different emoji"));
    case ReactionChange::kMessageGone:
      break;
  }
  return absl::FailedPreconditionError("the message is deleted");
}

absl::Status ConversationService::RemoveReaction(const std::string& caller,
                                                 absl::string_view room_id,
                                                 absl::string_view message_id,
                                                 absl::string_view emoji) {
  std::string key(emoji);
  CHATTER_ASSIGN_OR_RETURN(Message message, LoadReactable(caller, room_id, message_id, key, false));
  CHATTER_ASSIGN_OR_RETURN(ReactionChange change,
                           conversations_.RemoveReaction(message.id, key, caller));
  if (change == ReactionChange::kChanged) {
    PublishReaction(RoomEvent::Kind::kReactionRemoved, message, caller, key);
  }
  return absl::OkStatus();
}

absl::Status ConversationService::MarkDelivered(const std::string& caller,
                                                absl::string_view room_id, int64_t seq) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  if (seq < 0) return status::InvalidFieldError("seq", "must not be negative");
  // The usual report follows another of the same member a moment ago: nothing to read.
  if (delivered_.RecordIfChecked(id, caller, seq)) return absl::OkStatus();
  Room room;
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, &room).status());
  CHATTER_RETURN_IF_ERROR(CheckMarkerSeq(seq, room.last_seq));
  delivered_.Record(id, caller, seq, room.last_seq);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Receipt>> ConversationService::ListReceipts(const std::string& caller,
                                                                       absl::string_view room_id) {
  CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", room_id));
  CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, nullptr).status());
  CHATTER_ASSIGN_OR_RETURN(std::vector<Receipt> receipts, conversations_.ListReceipts(id));
  absl::flat_hash_map<std::string, int64_t> pending = delivered_.PendingInRoom(id);
  for (Receipt& receipt : receipts) {
    if (auto it = pending.find(receipt.user_id); it != pending.end()) {
      receipt.delivered_seq = std::max(receipt.delivered_seq, it->second);
    }
  }
  return receipts;
}

absl::StatusOr<SearchPage> ConversationService::Search(const std::string& caller,
                                                       const SearchInput& input) {
  int chars = text::CountCodePoints(input.q);
  if (chars < 1 || chars > kMaxSearchQueryChars) {
    return status::InvalidFieldError("q", "must be 1-200 characters of valid UTF-8");
  }
  int limit = input.limit.value_or(kDefaultSearchLimit);
  if (limit < 1 || limit > kMaxSearchLimit) {
    return status::InvalidFieldError("limit", "must be 1-50");
  }
  SearchQuery query{.user_id = caller, .limit = limit + 1};
  if (input.before && !input.before->empty()) {
    absl::StatusOr<std::string> cursor = ParseId("before", *input.before);
    if (!cursor.ok()) return status::InvalidFieldError("before", "is not a cursor of this search");
    query.before_id = *std::move(cursor);
  }
  if (input.room_id && !input.room_id->empty()) {
    CHATTER_ASSIGN_OR_RETURN(std::string id, ParseId("room_id", *input.room_id));
    // Only rooms the caller is a member of now, public or not.
    CHATTER_RETURN_IF_ERROR(access_.LoadMembership(id, caller, nullptr).status());
    query.room_id = std::move(id);
  }
  SearchPage page;
  std::optional<std::string> tsquery = SearchQueryText(input.q);
  if (!tsquery) return page;  // Nothing but punctuation: nothing matches.
  query.tsquery = *std::move(tsquery);
  CHATTER_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, conversations_.Search(query));
  if (hits.size() > static_cast<size_t>(limit)) {
    hits.resize(limit);
    page.next_before = hits.back().message.id;
  }
  std::vector<Message> messages;
  messages.reserve(hits.size());
  for (SearchHit& hit : hits) messages.push_back(std::move(hit.message));
  CHATTER_RETURN_IF_ERROR(AttachReactions(caller, messages));
  for (size_t i = 0; i < hits.size(); ++i) {
    page.results.push_back(SearchResult{.message = std::move(messages[i]),
                                        .snippet_html = SnippetHtml(hits[i].headline)});
  }
  return page;
}

absl::Status ConversationService::AttachReactions(const std::string& reader,
                                                  std::vector<Message>& messages) {
  std::vector<std::string> ids;
  for (const Message& message : messages) {
    if (!message.deleted) ids.push_back(message.id);
  }
  if (ids.empty()) return absl::OkStatus();
  CHATTER_ASSIGN_OR_RETURN(auto reactions, conversations_.Reactions(ids, reader));
  for (Message& message : messages) {
    if (auto it = reactions.find(message.id); it != reactions.end()) {
      message.reactions = std::move(it->second);
    }
  }
  return absl::OkStatus();
}

absl::Status ConversationService::AttachReactions(const std::string& reader,
                                                  std::vector<RoomSummary>& rooms) {
  std::vector<Message> last;
  for (const RoomSummary& summary : rooms) {
    if (summary.last_message) last.push_back(*summary.last_message);
  }
  CHATTER_RETURN_IF_ERROR(AttachReactions(reader, last));
  size_t next = 0;
  for (RoomSummary& summary : rooms) {
    if (summary.last_message) summary.last_message = std::move(last[next++]);
  }
  return absl::OkStatus();
}

absl::Status ConversationService::AttachReactions(const std::string& reader, Message& message) {
  std::vector<Message> one{std::move(message)};
  absl::Status status = AttachReactions(reader, one);
  message = std::move(one.front());
  return status;
}

}  // namespace chatter::chat
