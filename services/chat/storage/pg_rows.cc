// Shared column lists and row decoders of chat-svc's tables.
#include "services/chat/storage/pg_rows.h"

#include <nlohmann/json.hpp>
#include <pqxx/field>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace chatter::chat {
namespace {

absl::Time TimeAt(const pqxx::row& row, int index) {
  return absl::FromUnixMillis(row[index].as<int64_t>());
}

std::vector<Attachment> AttachmentsFromJson(const std::string& text) {
  std::vector<Attachment> attachments;
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return attachments;
  for (const nlohmann::json& item : parsed) {
    if (!item.is_object()) continue;
    attachments.push_back(Attachment{.url = item.value("url", ""),
                                     .content_type = item.value("content_type", ""),
                                     .size_bytes = item.value("size_bytes", int64_t{0}),
                                     .name = item.value("name", "")});
  }
  return attachments;
}

}  // namespace

std::string MillisOf(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000)::bigint");
}

std::string TimestampFromMillis(absl::string_view parameter) {
  return absl::StrCat("to_timestamp(", parameter, "::double precision / 1000)");
}

std::string RoomColumns(absl::string_view alias) {
  std::string a = absl::StrCat(alias, ".");
  return absl::StrCat(a, "id::text, ", a, "kind, ", a, "name, ", a, "visibility, ", a,
                      "created_by::text, coalesce(", a, "direct_key, ''), ",
                      MillisOf(absl::StrCat(a, "created_at")), ", ", a, "member_count, ", a,
                      "last_seq");
}

Room RoomFromRow(const pqxx::row& row, int offset) {
  const int i = offset;
  return Room{
      .id = row[i].as<std::string>(),
      .kind = ParseKind(row[i + 1].as<std::string>()).value_or(RoomKind::kGroup),
      .name = row[i + 2].as<std::string>(),
      .visibility = ParseVisibility(row[i + 3].as<std::string>()).value_or(Visibility::kPrivate),
      .created_by = row[i + 4].as<std::string>(),
      .direct_key = row[i + 5].as<std::string>(),
      .created_at = TimeAt(row, i + 6),
      .member_count = row[i + 7].as<int>(),
      .last_seq = row[i + 8].as<int64_t>()};
}

std::string MembershipColumns(absl::string_view alias) {
  std::string a = absl::StrCat(alias, ".");
  return absl::StrCat(a, "room_id::text, ", a, "user_id::text, ", a, "role, ",
                      MillisOf(absl::StrCat(a, "joined_at")), ", ", a, "last_read_seq");
}

std::optional<Membership> MembershipFromRow(const pqxx::row& row, int offset) {
  const int i = offset;
  if (row[i].is_null()) return std::nullopt;
  return Membership{.room_id = row[i].as<std::string>(),
                    .user_id = row[i + 1].as<std::string>(),
                    .role = ParseRole(row[i + 2].as<std::string>()).value_or(Role::kMember),
                    .joined_at = TimeAt(row, i + 3),
                    .last_read_seq = row[i + 4].as<int64_t>()};
}

namespace {

// MessageColumns with `reply_count` as the 13th column (of 15).
std::string MessageColumnsWith(absl::string_view alias, absl::string_view reply_count) {
  std::string a = absl::StrCat(alias, ".");
  return absl::StrCat(a, "room_id::text, ", a, "seq, ", a, "id::text, ", a, "sender_id::text, ", a,
                      "content, ", a, "attachments::text, coalesce(", a, "client_msg_id, ''), ",
                      MillisOf(absl::StrCat(a, "created_at")), ", ",
                      MillisOf(absl::StrCat(a, "updated_at")), ", ", a, "edited, ", a, "deleted, ",
                      "coalesce(", a, "reply_to::text, ''), ", reply_count, ", array_to_string(", a,
                      "mentions, ','), ", a, "sender_kind");
}

}  // namespace

std::string MessageColumns(absl::string_view alias) {
  return MessageColumnsWith(
      alias, absl::StrCat("CASE WHEN ", alias,
                          ".deleted THEN 0 ELSE (SELECT count(*) FROM messages reply WHERE "
                          "reply.reply_to = ",
                          alias, ".id) END"));
}

std::string NewMessageColumns(absl::string_view alias) { return MessageColumnsWith(alias, "0"); }

std::optional<Message> MessageFromRow(const pqxx::row& row, int offset) {
  const int i = offset;
  if (row[i].is_null()) return std::nullopt;
  return Message{
      .id = row[i + 2].as<std::string>(),
      .room_id = row[i].as<std::string>(),
      .seq = row[i + 1].as<int64_t>(),
      .sender_id = row[i + 3].as<std::string>(),
      .content = row[i + 4].as<std::string>(),
      .attachments = AttachmentsFromJson(row[i + 5].as<std::string>()),
      .client_msg_id = row[i + 6].as<std::string>(),
      .created_at = TimeAt(row, i + 7),
      .updated_at = TimeAt(row, i + 8),
      .edited = row[i + 9].as<bool>(),
      .deleted = row[i + 10].as<bool>(),
      .reply_to = row[i + 11].as<std::string>(),
      .reply_count = row[i + 12].as<int>(),
      .mentions = absl::StrSplit(row[i + 13].as<std::string>(), ',', absl::SkipEmpty()),
      .reactions = {},
      .sender_kind = ParseSenderKind(row[i + 14].as<std::string>()).value_or(SenderKind::kUser)};
}

nlohmann::json AttachmentsJson(const std::vector<Attachment>& attachments) {
  nlohmann::json array = nlohmann::json::array();
  for (const Attachment& attachment : attachments) {
    array.push_back({{"url", attachment.url},
                     {"content_type", attachment.content_type},
                     {"size_bytes", attachment.size_bytes},
                     {"name", attachment.name}});
  }
  return array;
}

std::string AttachmentsToJson(const std::vector<Attachment>& attachments) {
  return AttachmentsJson(attachments).dump();
}

std::string UuidArray(const std::vector<std::string>& ids) {
  return absl::StrCat("{", absl::StrJoin(ids, ","), "}");
}

}  // namespace chatter::chat
