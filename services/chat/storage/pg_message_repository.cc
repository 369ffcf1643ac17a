// Messages in PostgreSQL. A send is one statement (so one round trip and its own transaction):
// it checks that the sender may send (a member; in a direct room no block either way), looks
// for the sender's earlier message with the same client_msg_id, bumps rooms.last_seq
// (the row lock serialises the room's writers, so seq is gap-free and strictly increasing),
// inserts the message with that seq and moves the sender's read marker to it. A duplicate found
// up front bumps nothing; a duplicate committed concurrently trips the unique index, which rolls
// the whole statement back (no seq is burnt), and the first message is read instead.
#include "services/chat/storage/pg_message_repository.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/pg/errors.h"
#include "libs/status/status_macros.h"
#include "services/chat/storage/pg_autocommit.h"
#include "services/chat/storage/pg_rows.h"

namespace chatter::chat {
namespace {

// The smallest UUIDv7 of the millisecond `at`: its first 48 bits are the Unix time in ms.
std::string UuidV7Floor(absl::Time at) {
  std::string hex = absl::StrFormat("%012x", static_cast<uint64_t>(absl::ToUnixMillis(at)));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-7000-8000-000000000000");
}

// The members of `room` among `candidates` (a uuid[]), in the candidates' order.
std::string MembersAmong(absl::string_view room, absl::string_view candidates) {
  return absl::StrCat("ARRAY(SELECT c.id FROM unnest(", candidates,
                      ") WITH ORDINALITY AS c(id, n) WHERE EXISTS (SELECT 1 FROM room_members cm"
                      " WHERE cm.room_id = ",
                      room, " AND cm.user_id = c.id) ORDER BY c.n)");
}

// A CTE body that indexes per user the mentions of the messages the CTE `source` returned.
std::string InsertMentionsFrom(absl::string_view source) {
  return absl::StrCat(
      "INSERT INTO message_mentions (user_id, room_id, seq)"
      "  SELECT DISTINCT u.user_id, x.room_id, x.seq FROM ",
      source, " x, unnest(x.mentions) AS u(user_id)");
}

// The single-send statement. $1 room, $2 id, $3 sender, $4 content, $5 attachments,
// $6 client_msg_id, $7 millis, $8 reply_to, and with kResolved $9: the mention candidates
// (uuid[]; the room's members among them are kept). Most messages mention nobody, and for them
// kNone leaves out the mention columns and index rows entirely: executor set-up per statement
// is a good part of PostgreSQL's CPU per message at moderate rates (issue 11).
enum class Mentions { kNone, kResolved };
std::string InsertOneSql(Mentions mentions) {
  const bool resolved = mentions == Mentions::kResolved;
  const std::string created_at = TimestampFromMillis("$7");
  return absl::StrCat(
      "WITH allowed AS ("
      "  SELECT 1 FROM rooms r"
      "  JOIN room_members rm ON rm.room_id = r.id AND rm.user_id = $3"
      "  WHERE r.id = $1 AND (r.kind <> 'direct' OR NOT EXISTS ("
      "    SELECT 1 FROM blocks b WHERE"
      "      (b.blocker_id = split_part(r.direct_key, ':', 1)::uuid"
      "       AND b.blocked_id = split_part(r.direct_key, ':', 2)::uuid)"
      "   OR (b.blocker_id = split_part(r.direct_key, ':', 2)::uuid"
      "       AND b.blocked_id = split_part(r.direct_key, ':', 1)::uuid)))"
      "), existing AS ("
      "  SELECT * FROM messages WHERE room_id = $1 AND sender_id = $3 AND client_msg_id = $6"
      "    AND EXISTS (SELECT 1 FROM allowed)"
      "), bumped AS ("
      "  UPDATE rooms SET last_seq = last_seq + 1"
      "  WHERE id = $1 AND EXISTS (SELECT 1 FROM allowed)"
      "    AND NOT EXISTS (SELECT 1 FROM existing) RETURNING last_seq"
      "), inserted AS ("
      "  INSERT INTO messages (room_id, seq, id, sender_id, content, attachments,"
      "    client_msg_id, created_at, updated_at, reply_to",
      resolved ? ", mentions" : "",
      ")"
      "  SELECT $1::uuid, last_seq, $2::uuid, $3::uuid, $4::text, $5::jsonb, $6::text, ",
      created_at, ", ", created_at, ", $8::uuid",
      resolved ? absl::StrCat(", ", MembersAmong("$1::uuid", "$9::uuid[]")) : "",
      "  FROM bumped RETURNING *",
      resolved ? absl::StrCat("), mentioned AS (", InsertMentionsFrom("inserted")) : "",
      "), marked AS ("
      "  UPDATE room_members SET last_read_seq = inserted.seq,"
      "    delivered_seq = greatest(room_members.delivered_seq, inserted.seq) FROM inserted"
      "  WHERE room_members.room_id = $1 AND room_members.user_id = $3"
      "    AND room_members.last_read_seq < inserted.seq"
      ") SELECT ",
      NewMessageColumns("m"), ", true FROM inserted m UNION ALL SELECT ", MessageColumns("e"),
      ", false FROM existing e");
}

// The platform's send (ChatAdmin.PostMessage): InsertOneSql's statement for a sender who need not
// be a member, and whose read marker (if a member) is left alone. $1-$8 as there, $9 the mention
// candidates, $10 the sender_kind.
std::string InsertFromServiceSql() {
  const std::string created_at = TimestampFromMillis("$7");
  return absl::StrCat(
      "WITH existing AS ("
      "  SELECT * FROM messages WHERE room_id = $1 AND sender_id = $3 AND client_msg_id = $6"
      "), bumped AS ("
      "  UPDATE rooms SET last_seq = last_seq + 1"
      "  WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM existing) RETURNING last_seq"
      "), inserted AS ("
      "  INSERT INTO messages (room_id, seq, id, sender_id, content, attachments,"
      "    client_msg_id, created_at, updated_at, reply_to, mentions, sender_kind)"
      "  SELECT $1::uuid, last_seq, $2::uuid, $3::uuid, $4::text, $5::jsonb, $6::text, ",
      created_at, ", ", created_at, ", $8::uuid, ", MembersAmong("$1::uuid", "$9::uuid[]"),
      ", $10::text FROM bumped RETURNING *"
      "), mentioned AS (",
      InsertMentionsFrom("inserted"), ") SELECT ", NewMessageColumns("m"),
      ", true FROM inserted m UNION ALL SELECT ", MessageColumns("e"), ", false FROM existing e");
}

std::vector<Message> MessagesFrom(const pqxx::result& rows) {
  std::vector<Message> messages;
  messages.reserve(rows.size());
  for (const pqxx::row& row : rows) messages.push_back(*MessageFromRow(row, 0));
  return messages;
}

}  // namespace

std::vector<pg::PreparedStatement> PgMessageRepository::Statements() {
  const std::string columns = MessageColumns("m");
  return {
      {"messages_insert", InsertOneSql(Mentions::kResolved)},
      {"messages_insert_plain", InsertOneSql(Mentions::kNone)},
      {"messages_insert_from_service", InsertFromServiceSql()},
      // $1: a JSON array of {ord, room_id, id, sender_id, content, attachments, client_msg_id,
      // created_ms, reply_to, mentions}. The insert above, for many sends at once: rooms are locked
      // in id order
      // (two replicas' batches cannot deadlock), each room's new messages take consecutive
      // seqs in `ord` order, and every answered row carries the `ord` it answers.
      {"messages_insert_batch",
       absl::StrCat(
           "WITH input AS ("
           "  SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(ord int, room_id uuid, id uuid,"
           "    sender_id uuid, content text, attachments jsonb, client_msg_id text,"
           "    created_ms bigint, reply_to uuid, mentions uuid[])"
           "), allowed AS ("
           "  SELECT i.* FROM input i"
           "  JOIN rooms r ON r.id = i.room_id"
           "  JOIN room_members rm ON rm.room_id = i.room_id AND rm.user_id = i.sender_id"
           "  WHERE r.kind <> 'direct' OR NOT EXISTS ("
           "    SELECT 1 FROM blocks b WHERE"
           "      (b.blocker_id = split_part(r.direct_key, ':', 1)::uuid"
           "       AND b.blocked_id = split_part(r.direct_key, ':', 2)::uuid)"
           "   OR (b.blocker_id = split_part(r.direct_key, ':', 2)::uuid"
           "       AND b.blocked_id = split_part(r.direct_key, ':', 1)::uuid))"
           "), existing AS ("
           "  SELECT a.ord, m.* FROM allowed a JOIN messages m ON m.room_id = a.room_id"
           "    AND m.sender_id = a.sender_id AND m.client_msg_id = a.client_msg_id"
           "), fresh AS ("
           "  SELECT a.*, row_number() OVER (PARTITION BY a.room_id ORDER BY a.ord) AS n,"
           "    count(*) OVER (PARTITION BY a.room_id) AS c"
           "  FROM allowed a WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = a.ord)"
           "), locked AS ("
           "  SELECT id FROM rooms WHERE id IN (SELECT room_id FROM fresh) ORDER BY id FOR UPDATE"
           "), bumped AS ("
           "  UPDATE rooms r SET last_seq = r.last_seq + f.c"
           "  FROM (SELECT DISTINCT f.room_id, f.c FROM fresh f JOIN locked l ON l.id = f.room_id) "
           "f"
           "  WHERE r.id = f.room_id RETURNING r.id, r.last_seq"
           "), inserted AS ("
           "  INSERT INTO messages (room_id, seq, id, sender_id, content, attachments,"
           "    client_msg_id, created_at, updated_at, reply_to, mentions)"
           "  SELECT f.room_id, b.last_seq - f.c + f.n, f.id, f.sender_id, f.content,"
           "    f.attachments, f.client_msg_id, ",
           TimestampFromMillis("f.created_ms"), ", ", TimestampFromMillis("f.created_ms"),
           ", f.reply_to, ", MembersAmong("f.room_id", "f.mentions"),
           "  FROM fresh f JOIN bumped b ON b.id = f.room_id RETURNING *"
           "), mentioned AS (",
           InsertMentionsFrom("inserted"),
           "), marked AS ("
           "  UPDATE room_members rm SET last_read_seq = x.seq,"
           "    delivered_seq = greatest(rm.delivered_seq, x.seq) FROM ("
           "    SELECT room_id, sender_id, max(seq) AS seq FROM inserted GROUP BY 1, 2) x"
           "  WHERE rm.room_id = x.room_id AND rm.user_id = x.sender_id"
           "    AND rm.last_read_seq < x.seq"
           ") SELECT f.ord, ",
           MessageColumns("m"),
           ", true FROM inserted m JOIN fresh f ON f.id = m.id"
           " UNION ALL SELECT e.ord, ",
           MessageColumns("e"), ", false FROM existing e")},
      {"messages_by_client_msg_id",
       absl::StrCat("SELECT ", columns,
                    " FROM messages m WHERE m.room_id = $1 AND m.sender_id = $2 "
                    "AND m.client_msg_id = $3")},
      {"messages_by_id", absl::StrCat("SELECT ", columns, " FROM messages m WHERE m.id = $1")},
      {"rooms_recent_heads",
       "SELECT r.id::text, r.last_seq FROM rooms r WHERE r.id IN ("
       "  SELECT DISTINCT m.room_id FROM messages m WHERE m.id >= $1::uuid)"},
      {"messages_before", absl::StrCat("SELECT ", columns,
                                       " FROM messages m WHERE m.room_id = $1 AND m.seq < $2 "
                                       "ORDER BY m.seq DESC LIMIT $3")},
      {"messages_after", absl::StrCat("SELECT ", columns,
                                      " FROM messages m WHERE m.room_id = $1 AND m.seq > $2 "
                                      "ORDER BY m.seq ASC LIMIT $3")},
      // $4: mention candidates of the new content; mentions follow the edit.
      {"messages_update_content",
       absl::StrCat("WITH updated AS ("
                    "  UPDATE messages AS m SET content = $2, edited = true, updated_at = ",
                    TimestampFromMillis("$3"),
                    ", mentions = ", MembersAmong("m.room_id", "$4::uuid[]"),
                    "  WHERE m.id = $1 AND NOT m.deleted RETURNING *"
                    "), unmentioned AS ("
                    "  DELETE FROM message_mentions mm USING updated u"
                    "  WHERE mm.room_id = u.room_id AND mm.seq = u.seq"
                    "    AND mm.user_id <> ALL (u.mentions)"
                    "), mentioned AS (",
                    InsertMentionsFrom("updated"), " ON CONFLICT DO NOTHING", ") SELECT ",
                    MessageColumns("m"), " FROM updated m")},
      // A deleted message keeps none of its reply link, mentions and reactions.
      {"messages_mark_deleted",
       absl::StrCat("WITH deleted AS ("
                    "  UPDATE messages AS m SET content = '', attachments = '[]'::jsonb, "
                    "    deleted = true, reply_to = NULL, mentions = '{}', updated_at = ",
                    TimestampFromMillis("$2"),
                    "  WHERE m.id = $1 AND NOT m.deleted RETURNING *"
                    "), unmentioned AS ("
                    "  DELETE FROM message_mentions mm USING deleted d"
                    "  WHERE mm.room_id = d.room_id AND mm.seq = d.seq"
                    "), unreacted AS ("
                    "  DELETE FROM message_reactions mr USING deleted d WHERE mr.message_id = d.id"
                    ") SELECT ",
                    MessageColumns("m"), " FROM deleted m")},
  };
}

absl::StatusOr<std::optional<StoredMessage>> PgMessageRepository::Insert(
    const NewMessage& message) {
  using Result = absl::StatusOr<std::optional<StoredMessage>>;
  Result stored = RunAutocommit(pool_, "insert message", [&](pqxx::nontransaction& txn) -> Result {
    const std::string attachments = AttachmentsToJson(message.attachments);
    const int64_t created_ms = absl::ToUnixMillis(message.created_at);
    pqxx::result rows =
        message.mention_candidates.empty()
            ? txn.exec_prepared("messages_insert_plain", message.room_id, message.id,
                                message.sender_id, message.content, attachments,
                                message.client_msg_id, created_ms, message.reply_to)
            : txn.exec_prepared("messages_insert", message.room_id, message.id, message.sender_id,
                                message.content, attachments, message.client_msg_id, created_ms,
                                message.reply_to, UuidArray(message.mention_candidates));
    if (rows.empty()) return std::nullopt;  // No room, or the sender may not send there.
    return StoredMessage{*MessageFromRow(rows[0], 0), rows[0][kMessageColumnCount].as<bool>()};
  });
  return OrConcurrentDuplicate(std::move(stored), message);
}

absl::StatusOr<std::optional<StoredMessage>> PgMessageRepository::OrConcurrentDuplicate(
    absl::StatusOr<std::optional<StoredMessage>> stored, const NewMessage& message) {
  // The same client_msg_id committed by a concurrent send: that one is the message.
  if (pg::ViolatesConstraint(stored.status(), "messages_client_msg_key")) {
    absl::StatusOr<Message> first = FindByClientMsgId(message);
    if (!first.ok()) return first.status();
    return StoredMessage{*std::move(first), false};
  }
  return stored;
}

absl::StatusOr<std::optional<StoredMessage>> PgMessageRepository::InsertFromService(
    const NewMessage& message) {
  using Result = absl::StatusOr<std::optional<StoredMessage>>;
  Result stored =
      RunAutocommit(pool_, "insert service message", [&](pqxx::nontransaction& txn) -> Result {
        pqxx::result rows = txn.exec_prepared(
            "messages_insert_from_service", message.room_id, message.id, message.sender_id,
            message.content, AttachmentsToJson(message.attachments), message.client_msg_id,
            absl::ToUnixMillis(message.created_at), message.reply_to,
            UuidArray(message.mention_candidates),
            std::string(SenderKindName(message.sender_kind)));
        if (rows.empty()) return std::nullopt;  // No such room.
        return StoredMessage{*MessageFromRow(rows[0], 0), rows[0][kMessageColumnCount].as<bool>()};
      });
  return OrConcurrentDuplicate(std::move(stored), message);
}

absl::StatusOr<std::vector<std::optional<StoredMessage>>> PgMessageRepository::InsertBatch(
    const std::vector<NewMessage>& messages) {
  using Result = absl::StatusOr<std::vector<std::optional<StoredMessage>>>;
  nlohmann::json input = nlohmann::json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    const NewMessage& message = messages[i];
    input.push_back(
        {{"ord", i},
         {"room_id", message.room_id},
         {"id", message.id},
         {"sender_id", message.sender_id},
         {"content", message.content},
         {"attachments", AttachmentsJson(message.attachments)},
         {"client_msg_id",
          message.client_msg_id ? nlohmann::json(*message.client_msg_id) : nlohmann::json(nullptr)},
         {"created_ms", absl::ToUnixMillis(message.created_at)},
         {"reply_to",
          message.reply_to ? nlohmann::json(*message.reply_to) : nlohmann::json(nullptr)},
         {"mentions", message.mention_candidates}});
  }
  Result stored = RunAutocommit(pool_, "insert messages", [&](pqxx::nontransaction& txn) -> Result {
    pqxx::result rows = txn.exec_prepared("messages_insert_batch", input.dump());
    std::vector<std::optional<StoredMessage>> answers(messages.size());
    for (const pqxx::row& row : rows) {
      size_t ord = row[0].as<size_t>();
      if (ord >= answers.size()) return absl::InternalError("insert messages: unknown ord");
      answers[ord] =
          StoredMessage{*MessageFromRow(row, 1), row[1 + kMessageColumnCount].as<bool>()};
    }
    return answers;  // Entries left empty were refused.
  });
  // A duplicate committed concurrently by another replica rolled the whole batch back; one by
  // one, each send finds out for itself (Insert reads the first message of a duplicate).
  if (pg::ViolatesConstraint(stored.status(), "messages_client_msg_key")) {
    std::vector<std::optional<StoredMessage>> answers;
    answers.reserve(messages.size());
    for (const NewMessage& message : messages) {
      CHATTER_ASSIGN_OR_RETURN(std::optional<StoredMessage> answer, Insert(message));
      answers.push_back(std::move(answer));
    }
    return answers;
  }
  return stored;
}

absl::StatusOr<Message> PgMessageRepository::FindByClientMsgId(const NewMessage& message) {
  return RunAutocommit(
      pool_, "find message", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Message> {
        pqxx::result rows = txn.exec_prepared("messages_by_client_msg_id", message.room_id,
                                              message.sender_id, message.client_msg_id);
        if (rows.empty()) return absl::AbortedError("duplicate message vanished; retry");
        return *MessageFromRow(rows[0], 0);
      });
}

absl::StatusOr<Message> PgMessageRepository::FindById(absl::string_view message_id) {
  return RunAutocommit(
      pool_, "find message", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Message> {
        pqxx::result rows = txn.exec_prepared("messages_by_id", std::string(message_id));
        if (rows.empty()) {
          return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
        }
        return *MessageFromRow(rows[0], 0);
      });
}

absl::StatusOr<std::vector<Message>> PgMessageRepository::ListPage(const char* statement,
                                                                   absl::string_view room_id,
                                                                   int64_t seq, int limit) {
  return RunAutocommit(
      pool_, "list messages",
      [&](pqxx::nontransaction& txn) -> absl::StatusOr<std::vector<Message>> {
        return MessagesFrom(txn.exec_prepared(statement, std::string(room_id), seq, limit));
      });
}

absl::StatusOr<std::vector<Message>> PgMessageRepository::ListBefore(absl::string_view room_id,
                                                                     int64_t before_seq,
                                                                     int limit) {
  return ListPage("messages_before", room_id, before_seq, limit);
}

absl::StatusOr<std::vector<Message>> PgMessageRepository::ListAfter(absl::string_view room_id,
                                                                    int64_t after_seq, int limit) {
  return ListPage("messages_after", room_id, after_seq, limit);
}

absl::StatusOr<Message> PgMessageRepository::UpdateContent(
    absl::string_view message_id, absl::string_view content, absl::Time now,
    const std::vector<std::string>& mention_candidates) {
  return RunAutocommit(
      pool_, "edit message", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Message> {
        pqxx::result rows = txn.exec_prepared("messages_update_content", std::string(message_id),
                                              std::string(content), absl::ToUnixMillis(now),
                                              UuidArray(mention_candidates));
        if (!rows.empty()) return *MessageFromRow(rows[0], 0);
        // Nothing updated: tell "absent" from "deleted" (a delete may have just won).
        pqxx::result existing = txn.exec_prepared("messages_by_id", std::string(message_id));
        if (existing.empty()) {
          return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
        }
        return absl::FailedPreconditionError("the message is deleted");
      });
}

absl::StatusOr<DeletedMessage> PgMessageRepository::MarkDeleted(absl::string_view message_id,
                                                                absl::Time now) {
  return RunAutocommit(
      pool_, "delete message", [&](pqxx::nontransaction& txn) -> absl::StatusOr<DeletedMessage> {
        pqxx::result rows = txn.exec_prepared("messages_mark_deleted", std::string(message_id),
                                              absl::ToUnixMillis(now));
        if (!rows.empty()) return DeletedMessage{*MessageFromRow(rows[0], 0), true};
        pqxx::result existing = txn.exec_prepared("messages_by_id", std::string(message_id));
        if (existing.empty()) {
          return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
        }
        return DeletedMessage{*MessageFromRow(existing[0], 0), false};
      });
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> PgMessageRepository::RecentRoomHeads(
    absl::Time since) {
  using Heads = std::vector<std::pair<std::string, int64_t>>;
  return RunAutocommit(
      pool_, "recent room heads", [&](pqxx::nontransaction& txn) -> absl::StatusOr<Heads> {
        Heads heads;
        for (const pqxx::row& row : txn.exec_prepared("rooms_recent_heads", UuidV7Floor(since))) {
          heads.emplace_back(row[0].as<std::string>(), row[1].as<int64_t>());
        }
        return heads;
      });
}

}  // namespace chatter::chat
