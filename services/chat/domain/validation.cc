// Input rules for rooms, messages and contacts.
#include "services/chat/domain/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/status/error_details.h"
#include "libs/text/string_views.h"
#include "libs/text/utf8.h"

namespace chatter::chat {
namespace {

constexpr size_t kMaxUrlChars = 2048;
constexpr int kMaxAttachmentTextChars = 255;
constexpr size_t kMaxEmailBytes = 254;

// Unicode's White_Space property: what a person would not count as a character of a message.
bool IsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The code point starting at text[i] of valid UTF-8, and its length in bytes.
char32_t DecodeAt(absl::string_view text, size_t i, size_t* length) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) {
    *length = 1;
    return lead;
  }
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  char32_t c = lead & (0x7F >> n);
  for (size_t k = 1; k < n && i + k < text.size(); ++k) {
    c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  *length = n;
  return c;
}

// The number of code points of `text`, or INVALID_ARGUMENT naming `field` when it is not valid
// UTF-8 or holds a NUL (PostgreSQL text cannot store one).
absl::StatusOr<int> CheckedLength(absl::string_view field, absl::string_view text) {
  int length = text::CountCodePoints(text);
  if (length < 0) return status::InvalidFieldError(field, "must be valid UTF-8");
  if (text.find('\0') != absl::string_view::npos) {
    return status::InvalidFieldError(field, "must not contain NUL characters");
  }
  return length;
}

// Trimmed text of min..max code points.
absl::StatusOr<std::string> TrimmedText(absl::string_view field, absl::string_view text,
                                        int max_chars) {
  absl::StatusOr<int> raw = CheckedLength(field, text);
  if (!raw.ok()) return raw.status();
  absl::string_view trimmed = TrimWhitespace(text);
  int length = text::CountCodePoints(trimmed);
  if (length < 1 || length > max_chars) {
    return status::InvalidFieldError(
        field, absl::StrCat("must be 1-", max_chars, " characters after trimming white space"));
  }
  return std::string(trimmed);
}

absl::Status CheckMaxChars(absl::string_view field, absl::string_view text, int max_chars) {
  absl::StatusOr<int> length = CheckedLength(field, text);
  if (!length.ok()) return length.status();
  if (*length > max_chars) {
    return status::InvalidFieldError(field,
                                     absl::StrCat("must be at most ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

bool IsHttpsUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "https://";
  if (!absl::StartsWithIgnoreCase(url, kScheme) || url.size() == kScheme.size()) return false;
  if (url[kScheme.size()] == '/') return false;  // No host.
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

absl::Status ValidateAttachment(const Attachment& attachment, size_t index) {
  std::string prefix = absl::StrCat("attachments[", index, "].");
  std::string url_field = absl::StrCat(prefix, "url");
  absl::StatusOr<int> url_length = CheckedLength(url_field, attachment.url);
  if (!url_length.ok()) return url_length.status();
  if (attachment.url.size() > kMaxUrlChars || !IsHttpsUrl(attachment.url)) {
    return status::InvalidFieldError(url_field,
                                     "must be an absolute https URL of at most 2048 characters");
  }
  if (absl::Status type = CheckMaxChars(absl::StrCat(prefix, "content_type"),
                                        attachment.content_type, kMaxAttachmentTextChars);
      !type.ok()) {
    return type;
  }
  if (absl::Status name =
          CheckMaxChars(absl::StrCat(prefix, "name"), attachment.name, kMaxAttachmentTextChars);
      !name.ok()) {
    return name;
  }
  if (attachment.size_bytes < 0) {
    return status::InvalidFieldError(absl::StrCat(prefix, "size_bytes"), "must not be negative");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ParseId(absl::string_view field, absl::string_view value) {
  std::optional<std::string> id = ids::NormalizeUuid(text::ToStd(value));
  if (!id) return status::InvalidFieldError(field, "must be a UUID");
  return *std::move(id);
}

absl::string_view TrimWhitespace(absl::string_view text) {
  size_t length = 0;
  while (!text.empty() && IsWhiteSpace(DecodeAt(text, 0, &length))) text.remove_prefix(length);
  while (!text.empty()) {
    size_t start = text.size() - 1;
    // Back to the lead byte of the last code point.
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    if (!IsWhiteSpace(DecodeAt(text, start, &length))) break;
    text.remove_suffix(text.size() - start);
  }
  return text;
}

absl::StatusOr<std::string> NormalizeRoomName(absl::string_view name) {
  return TrimmedText("name", name, kMaxRoomNameChars);
}

absl::StatusOr<Visibility> ParseVisibilityField(absl::string_view value) {
  if (value.empty()) return Visibility::kPublic;
  std::optional<Visibility> visibility = ParseVisibility(value);
  if (!visibility) return status::InvalidFieldError("visibility", "must be public or private");
  return *visibility;
}

absl::StatusOr<std::string> NormalizeContent(absl::string_view content) {
  return TrimmedText("content", content, kMaxContentChars);
}

absl::StatusOr<std::optional<std::string>> NormalizeClientMsgId(
    const std::optional<std::string>& client_msg_id) {
  if (!client_msg_id || client_msg_id->empty()) return std::optional<std::string>();
  if (absl::Status checked = CheckMaxChars("client_msg_id", *client_msg_id, kMaxClientMsgIdChars);
      !checked.ok()) {
    return checked;
  }
  return client_msg_id;
}

absl::Status ValidateAttachments(const std::vector<Attachment>& attachments) {
  if (attachments.size() > static_cast<size_t>(kMaxAttachments)) {
    return status::InvalidFieldError("attachments", "at most 10 attachments");
  }
  for (size_t i = 0; i < attachments.size(); ++i) {
    if (absl::Status valid = ValidateAttachment(attachments[i], i); !valid.ok()) return valid;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeReason(absl::string_view reason) {
  return TrimmedText("reason", reason, kMaxReasonChars);
}

absl::StatusOr<std::string> NormalizeEmail(absl::string_view email) {
  auto invalid = [] { return status::InvalidFieldError("email", "must be a valid email address"); };
  absl::string_view trimmed = absl::StripAsciiWhitespace(email);
  if (trimmed.empty() || trimmed.size() > kMaxEmailBytes) return invalid();
  size_t at = trimmed.find('@');
  if (at == absl::string_view::npos || at == 0 || at + 1 == trimmed.size() ||
      trimmed.rfind('@') != at) {
    return invalid();
  }
  for (unsigned char c : trimmed) {
    if (c <= 0x20 || c == 0x7f) return invalid();
  }
  if (!text::IsValidUtf8(trimmed)) return invalid();
  return absl::AsciiStrToLower(trimmed);
}

absl::StatusOr<HistoryQuery> ValidateHistoryQuery(std::optional<int> limit,
                                                  std::optional<int64_t> before,
                                                  std::optional<int64_t> after) {
  HistoryQuery query;
  if (limit) {
    if (*limit < 1 || *limit > kMaxPageSize) {
      return status::InvalidFieldError("limit", "must be 1-100");
    }
    query.limit = *limit;
  }
  if (before && after) {
    return status::InvalidFieldError("after", "before and after are mutually exclusive");
  }
  if (before && *before < 0) return status::InvalidFieldError("before", "must not be negative");
  if (after && *after < 0) return status::InvalidFieldError("after", "must not be negative");
  query.before = before;
  query.after = after;
  return query;
}

absl::Status CheckMarkerSeq(int64_t seq, int64_t last_seq) {
  if (seq < 0) return status::InvalidFieldError("seq", "must not be negative");
  if (seq > last_seq) {
    return status::FieldError(
        absl::StatusCode::kOutOfRange, "seq", "is beyond the room's last_seq",
        absl::StrCat("seq ", seq, " is beyond the room's last_seq ", last_seq));
  }
  return absl::OkStatus();
}

}  // namespace chatter::chat
