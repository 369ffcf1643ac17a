// Replies, reactions, delivery markers and full-text search in PostgreSQL.
#include "services/chat/storage/pg_conversation_repository.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/chat/domain/search_text.h"
#include "services/chat/storage/pg_autocommit.h"
#include "services/chat/storage/pg_rows.h"

namespace chatter::chat {

std::string PgConversationRepository::HeadlineOptions() {
  return absl::StrCat("StartSel=", std::string(1, kMarkStart),
                      ",StopSel=", std::string(1, kMarkStop),
                      ",MaxFragments=2,MaxWords=18,MinWords=6,FragmentDelimiter=\" … \"");
}

std::string PgConversationRepository::SearchSql() {
  return absl::StrCat(
      "SELECT ", MessageColumns("m"),
      ", ts_headline('english', translate(m.content, chr(1) || chr(2), ''),"
      "  to_tsquery('english', $2), $5)"
      " FROM (SELECT * FROM messages m"
      "  WHERE m.room_id = ANY ($1::uuid[]) AND m.search_vector @@ to_tsquery('english', $2)"
      "    AND NOT m.deleted AND ($3::uuid IS NULL OR m.id < $3::uuid)"
      "  ORDER BY m.id DESC LIMIT $4) m"
      " ORDER BY m.id DESC");
}

std::vector<pg::PreparedStatement> PgConversationRepository::Statements() {
  const std::string columns = MessageColumns("m");
  return {
      {"replies_list",
       absl::StrCat("SELECT ", columns,
                    " FROM messages m WHERE m.room_id = $1 AND m.reply_to = $2 AND m.seq > $3"
                    " ORDER BY m.seq ASC LIMIT $4")},
      {"reactions_lock_message", "SELECT deleted FROM messages WHERE id = $1 FOR NO KEY UPDATE"},
      {"reactions_exists",
       "SELECT 1 FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3"},
      // $5: the most distinct emoji a message may have; a new emoji beyond it inserts nothing.
      {"reactions_insert",
       absl::StrCat("INSERT INTO message_reactions (message_id, emoji, user_id, created_at)"
                    " SELECT $1, $2, $3, ",
                    TimestampFromMillis("$4"),
                    " WHERE EXISTS (SELECT 1 FROM message_reactions WHERE message_id = $1"
                    "   AND emoji = $2)"
                    "  OR (SELECT count(DISTINCT emoji) FROM message_reactions"
                    "   WHERE message_id = $1) < $5"
                    " ON CONFLICT DO NOTHING RETURNING 1")},
      {"reactions_delete",
       "DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3"
       " RETURNING 1"},
      // A deleted message shows no reactions, even one added while the delete ran.
      {"reactions_of_messages",
       "SELECT r.message_id::text, r.emoji, count(*)::int, bool_or(r.user_id = $2)"
       " FROM message_reactions r JOIN messages m ON m.id = r.message_id AND NOT m.deleted"
       " WHERE r.message_id = ANY ($1::uuid[])"
       " GROUP BY r.message_id, r.emoji ORDER BY r.message_id, min(r.created_at), r.emoji"},
      {"receipts_list",
       "SELECT user_id::text, delivered_seq, last_read_seq FROM room_members"
       " WHERE room_id = $1 ORDER BY joined_at, user_id"},
      {"delivered_mark",
       "UPDATE room_members rm SET delivered_seq = least(x.seq, r.last_seq)"
       " FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS x(room_id, user_id, seq)"
       " JOIN rooms r ON r.id = x.room_id"
       " WHERE rm.room_id = x.room_id AND rm.user_id = x.user_id"
       "   AND rm.delivered_seq < least(x.seq, r.last_seq)"
       " RETURNING rm.room_id::text, rm.user_id::text, rm.delivered_seq"},
      {"member_room_ids", "SELECT room_id::text FROM room_members WHERE user_id = $1"},
  };
}

absl::StatusOr<std::vector<Message>> PgConversationRepository::ListReplies(
    absl::string_view room_id, absl::string_view message_id, int64_t after_seq, int limit) {
  return RunAutocommit(
      pool_, "list replies",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Message>> {
        std::vector<Message> replies;
        for (const pqxx::row& row : txn.exec_prepared("replies_list", std::string(room_id),
                                                      std::string(message_id), after_seq, limit)) {
          replies.push_back(*MessageFromRow(row, 0));
        }
        return replies;
      });
}

absl::StatusOr<ReactionChange> PgConversationRepository::AddReaction(absl::string_view message_id,
                                                                     absl::string_view emoji,
                                                                     absl::string_view user_id,
                                                                     absl::Time now,
                                                                     int max_distinct) {
  return pg::RunInTransaction(
      pool_, "add reaction", [&](pqxx::work& txn) -> absl::StatusOr<ReactionChange> {
        std::string id(message_id);
        pqxx::result message = txn.exec_prepared("reactions_lock_message", id);
        if (message.empty() || message[0][0].as<bool>()) return ReactionChange::kMessageGone;
        if (!txn.exec_prepared("reactions_exists", id, std::string(emoji), std::string(user_id))
                 .empty()) {
          return ReactionChange::kUnchanged;
        }
        pqxx::result inserted =
            txn.exec_prepared("reactions_insert", id, std::string(emoji), std::string(user_id),
                              absl::ToUnixMillis(now), max_distinct);
        return inserted.empty() ? ReactionChange::kTooMany : ReactionChange::kChanged;
      });
}

absl::StatusOr<ReactionChange> PgConversationRepository::RemoveReaction(
    absl::string_view message_id, absl::string_view emoji, absl::string_view user_id) {
  return RunAutocommit(
      pool_, "remove reaction", [&](pqxx::nontransaction& txn) -> absl::StatusOr<ReactionChange> {
        pqxx::result removed = txn.exec_prepared("reactions_delete", std::string(message_id),
                                                 std::string(emoji), std::string(user_id));
        return removed.empty() ? ReactionChange::kUnchanged : ReactionChange::kChanged;
      });
}

absl::StatusOr<absl::flat_hash_map<std::string, std::vector<ReactionCount>>>
PgConversationRepository::Reactions(const std::vector<std::string>& message_ids,
                                    absl::string_view reader) {
  using Result = absl::flat_hash_map<std::string, std::vector<ReactionCount>>;
  if (message_ids.empty()) return Result();
  return RunAutocommit(
      pool_, "list reactions", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Result> {
        Result reactions;
        for (const pqxx::row& row : txn.exec_prepared(
                 "reactions_of_messages", UuidArray(message_ids), std::string(reader))) {
          reactions[row[0].as<std::string>()].push_back(
              ReactionCount{.emoji = row[1].as<std::string>(),
                            .count = row[2].as<int>(),
                            .me = row[3].as<bool>()});
        }
        return reactions;
      });
}

absl::StatusOr<std::vector<Receipt>> PgConversationRepository::ListReceipts(
    absl::string_view room_id) {
  return RunAutocommit(
      pool_, "list receipts",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Receipt>> {
        std::vector<Receipt> receipts;
        for (const pqxx::row& row : txn.exec_prepared("receipts_list", std::string(room_id))) {
          receipts.push_back(Receipt{.user_id = row[0].as<std::string>(),
                                     .delivered_seq = row[1].as<int64_t>(),
                                     .read_seq = row[2].as<int64_t>()});
        }
        return receipts;
      });
}

absl::StatusOr<std::vector<DeliveredMarker>> PgConversationRepository::MarkDelivered(
    const std::vector<DeliveredMarker>& markers) {
  using Result = std::vector<DeliveredMarker>;
  if (markers.empty()) return Result();
  std::vector<std::string> rooms, users, seqs;
  for (const DeliveredMarker& marker : markers) {
    rooms.push_back(marker.room_id);
    users.push_back(marker.user_id);
    seqs.push_back(absl::StrCat(marker.seq));
  }
  std::string seq_array = absl::StrCat("{", absl::StrJoin(seqs, ","), "}");
  return RunAutocommit(
      pool_, "mark delivered", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Result> {
        Result moved;
        for (const pqxx::row& row :
             txn.exec_prepared("delivered_mark", UuidArray(rooms), UuidArray(users), seq_array)) {
          moved.push_back(DeliveredMarker{.room_id = row[0].as<std::string>(),
                                          .user_id = row[1].as<std::string>(),
                                          .seq = row[2].as<int64_t>()});
        }
        return moved;
      });
}

absl::StatusOr<std::vector<SearchHit>> PgConversationRepository::Search(const SearchQuery& query) {
  const std::string options = HeadlineOptions();
  static const std::string sql = SearchSql();
  return RunAutocommit(
      pool_, "search messages",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<SearchHit>> {
        std::vector<std::string> rooms;
        if (query.room_id) {
          rooms.push_back(*query.room_id);  // The caller checked the membership.
        } else {
          for (const pqxx::row& row : txn.exec_prepared("member_room_ids", query.user_id)) {
            rooms.push_back(row[0].as<std::string>());
          }
        }
        std::vector<SearchHit> hits;
        if (rooms.empty()) return hits;
        for (const pqxx::row& row : txn.exec_params(sql, UuidArray(rooms), query.tsquery,
                                                    query.before_id, query.limit, options)) {
          hits.push_back(SearchHit{.message = *MessageFromRow(row, 0),
                                   .headline = row[kMessageColumnCount].as<std::string>()});
        }
        return hits;
      });
}

}  // namespace chatter::chat
