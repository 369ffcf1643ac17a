// Input rules of API.md's Rooms, Messages and Contacts sections: ids, names, message content,
// attachments, history paging and report reasons. Every error is INVALID_ARGUMENT naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/chat/domain/model.h"

namespace chatter::chat {

inline constexpr int kMaxRoomNameChars = 100;
inline constexpr int kMaxContentChars = 4000;
inline constexpr int kMaxClientMsgIdChars = 128;
inline constexpr int kMaxAttachments = 10;
inline constexpr int kMaxReasonChars = 1000;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 100;

// The lower-case form of a UUID; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseId(absl::string_view field, absl::string_view value);

// `text` without leading and trailing Unicode white space (White_Space property). `text` must be
// valid UTF-8.
absl::string_view TrimWhitespace(absl::string_view text);

// Trimmed, 1-100 code points of valid UTF-8 without NUL ("name").
absl::StatusOr<std::string> NormalizeRoomName(absl::string_view name);
// "" or "public" -> public, "private" -> private ("visibility").
absl::StatusOr<Visibility> ParseVisibilityField(absl::string_view value);
// Trimmed, 1-4000 code points of valid UTF-8 without NUL ("content").
absl::StatusOr<std::string> NormalizeContent(absl::string_view content);
// nullopt for unset or "": no deduplication. At most 128 code points ("client_msg_id").
absl::StatusOr<std::optional<std::string>> NormalizeClientMsgId(
    const std::optional<std::string>& client_msg_id);
// At most 10; each an absolute https URL of at most 2048 characters, content_type and name of at
// most 255, size_bytes >= 0 ("attachments[i].url", ...).
absl::Status ValidateAttachments(const std::vector<Attachment>& attachments);
// Trimmed, 1-1000 code points ("reason").
absl::StatusOr<std::string> NormalizeReason(absl::string_view reason);
// A plausible email address, lower-cased ("email"); auth-svc decides whether it exists.
absl::StatusOr<std::string> NormalizeEmail(absl::string_view email);

// One page of history, validated.
struct HistoryQuery {
  int limit = kDefaultPageSize;
  std::optional<int64_t> before = {};  // Newest-first mode (also when neither is set).
  std::optional<int64_t> after = {};   // Oldest-first mode.
};
// An absent limit means 50, else 1-100 ("limit"); before/after >= 0 and not both ("before",
// "after").
absl::StatusOr<HistoryQuery> ValidateHistoryQuery(std::optional<int> limit,
                                                  std::optional<int64_t> before,
                                                  std::optional<int64_t> after);

// OK when 0 <= seq <= last_seq; INVALID_ARGUMENT ("seq" negative) or OUT_OF_RANGE ("seq" beyond
// the room's last_seq), for markers that move to a seq (read, delivered).
absl::Status CheckMarkerSeq(int64_t seq, int64_t last_seq);

}  // namespace chatter::chat
