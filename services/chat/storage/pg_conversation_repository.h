// Replies, reactions, delivery markers and full-text search in PostgreSQL (migration 0003).
#pragma once

#include <string>
#include <vector>

#include "libs/pg/pool.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class PgConversationRepository final : public ConversationRepository {
 public:
  explicit PgConversationRepository(pg::Pool& pool) : pool_(pool) {}
  // Prepared on every pooled connection (see ServiceSpec::prepared_statements).
  static std::vector<pg::PreparedStatement> Statements();
  // The search: $1 rooms (uuid[]), $2 tsquery text, $3 before id or NULL, $4 limit, $5 the
  // headline options. Run as an unnamed statement, so it is planned for these words and rooms
  // every time: with them the planner picks per query between walking messages newest first
  // (common words: it stops after a page) and the GIN index (rare words). A prepared
  // statement's generic plan, or words and rooms hidden in a CTE or subquery, cannot, and took
  // over a second for common words over 1M messages (tests/benchmarks/chat/search_benchmark.cc).
  static std::string SearchSql();
  // ts_headline's options: matches between the two control characters that SnippetHtml turns
  // into <mark>…</mark> (they are removed from the content first, so only matches carry them).
  static std::string HeadlineOptions();

  absl::StatusOr<std::vector<Message>> ListReplies(absl::string_view room_id,
                                                   absl::string_view message_id, int64_t after_seq,
                                                   int limit) override;
  // A transaction: the message row is locked (FOR NO KEY UPDATE, which the reactions' foreign
  // key checks do not wait for), then the limit is counted under a fresh snapshot.
  absl::StatusOr<ReactionChange> AddReaction(absl::string_view message_id, absl::string_view emoji,
                                             absl::string_view user_id, absl::Time now,
                                             int max_distinct) override;
  absl::StatusOr<ReactionChange> RemoveReaction(absl::string_view message_id,
                                                absl::string_view emoji,
                                                absl::string_view user_id) override;
  // One query for the whole page (grouped by message and emoji).
  absl::StatusOr<absl::flat_hash_map<std::string, std::vector<ReactionCount>>> Reactions(
      const std::vector<std::string>& message_ids, absl::string_view reader) override;
  absl::StatusOr<std::vector<Receipt>> ListReceipts(absl::string_view room_id) override;
  absl::StatusOr<std::vector<DeliveredMarker>> MarkDelivered(
      const std::vector<DeliveredMarker>& markers) override;
  // Two statements: the caller's rooms, then the search with those rooms and words as values,
  // planned afresh (see SearchSql in the .cc); ts_headline runs only on the page's rows.
  absl::StatusOr<std::vector<SearchHit>> Search(const SearchQuery& query) override;

 private:
  pg::Pool& pool_;
};

}  // namespace chatter::chat
