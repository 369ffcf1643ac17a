// The public room directory: input rules and paging.
#include "services/chat/domain/room_directory.h"

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"
#include "services/chat/domain/validation.h"

namespace chatter::chat {

absl::StatusOr<PublicRoomQuery> ValidateDirectoryInput(const DirectoryInput& input) {
  PublicRoomQuery query;
  if (text::CountCodePoints(input.q) < 0) {
    return status::InvalidFieldError("q", "must be valid UTF-8");
  }
  if (input.q.find('\0') != std::string::npos) {
    return status::InvalidFieldError("q", "must not contain NUL characters");
  }
  absl::string_view q = TrimWhitespace(input.q);
  if (text::CountCodePoints(q) > kMaxDirectoryQueryChars) {
    return status::InvalidFieldError(
        "q", absl::StrCat("must be at most ", kMaxDirectoryQueryChars, " characters"));
  }
  if (!q.empty()) query.name_contains = std::string(q);
  query.limit = input.limit.value_or(kDefaultDirectoryLimit);
  if (query.limit < 1 || query.limit > kMaxDirectoryLimit) {
    return status::InvalidFieldError("limit", absl::StrCat("must be 1-", kMaxDirectoryLimit));
  }
  if (input.before && !input.before->empty()) {
    absl::StatusOr<std::string> cursor = ParseId("before", *input.before);
    if (!cursor.ok()) return status::InvalidFieldError("before", "is not a cursor of this listing");
    query.before_id = *std::move(cursor);
  }
  return query;
}

absl::StatusOr<PublicRoomPage> RoomDirectory::ListPublicRooms(const DirectoryInput& input) {
  CHATTER_ASSIGN_OR_RETURN(PublicRoomQuery query, ValidateDirectoryInput(input));
  int limit = query.limit;
  // One row more than the page tells whether another page follows, without a count.
  query.limit = limit + 1;
  PublicRoomPage page;
  CHATTER_ASSIGN_OR_RETURN(page.rooms, rooms_.ListPublic(query));
  if (page.rooms.size() > static_cast<size_t>(limit)) {
    page.rooms.resize(limit);
    page.next_before = page.rooms.back().id;
  }
  return page;
}

}  // namespace chatter::chat
