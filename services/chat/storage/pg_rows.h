// The column lists and row decoders that chat-svc's PostgreSQL repositories share (a room list
// carries messages, a room check carries a membership), so each shape is written once.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/row>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/chat/domain/model.h"

namespace chatter::chat {

// SQL yielding epoch milliseconds of a timestamptz expression, and its inverse for a bigint
// parameter ($N): the domain's absl::Time has millisecond precision on the wire.
std::string MillisOf(absl::string_view column);
std::string TimestampFromMillis(absl::string_view parameter);

// Column lists qualified with `alias` (e.g. "r"); decoders read them from `row` at `offset`.
inline constexpr int kRoomColumnCount = 9;
std::string RoomColumns(absl::string_view alias);
Room RoomFromRow(const pqxx::row& row, int offset);

inline constexpr int kMembershipColumnCount = 5;
std::string MembershipColumns(absl::string_view alias);
// nullopt when the columns are NULL (the LEFT JOIN found no membership).
std::optional<Membership> MembershipFromRow(const pqxx::row& row, int offset);

// Includes reply_count, counted through messages_reply_idx (0 for a deleted message).
inline constexpr int kMessageColumnCount = 15;
std::string MessageColumns(absl::string_view alias);
// The same columns for a message this statement just inserted: nothing can reply to it yet, so
// its reply count is 0 without the per-row subquery.
std::string NewMessageColumns(absl::string_view alias);
// nullopt when the columns are NULL (the LEFT JOIN found no message).
std::optional<Message> MessageFromRow(const pqxx::row& row, int offset);

// Attachments as stored in messages.attachments (a JSON array of objects).
std::string AttachmentsToJson(const std::vector<Attachment>& attachments);
// The same as a JSON value, to embed in a larger document.
nlohmann::json AttachmentsJson(const std::vector<Attachment>& attachments);

// "{id,id,...}": a uuid[] parameter.
std::string UuidArray(const std::vector<std::string>& ids);

}  // namespace chatter::chat
