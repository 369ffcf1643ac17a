// The public room directory (an extension of API.md for finding rooms without an invite):
// public group rooms, newest first, optionally those whose name holds a text, in pages with a
// cursor. Private and direct rooms never appear; anyone signed in may list it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/chat/domain/model.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

// A longer filter is refused rather than cut: names are at most 100 characters, so no longer
// text can match one.
inline constexpr int kMaxDirectoryQueryChars = 100;
inline constexpr int kDefaultDirectoryLimit = 20;
inline constexpr int kMaxDirectoryLimit = 100;

// The request as the client sent it.
struct DirectoryInput {
  std::string q = {};                      // "" (or only white space): every public room.
  std::optional<int> limit = {};           // Absent: kDefaultDirectoryLimit.
  std::optional<std::string> before = {};  // Unset or "": from the newest room.
};

struct PublicRoomPage {
  std::vector<Room> rooms = {};                 // Newest first.
  std::optional<std::string> next_before = {};  // Set when more rooms follow.
};

// The storage query for `input`, or INVALID_ARGUMENT naming "q" (not valid UTF-8, a NUL, more
// than 100 characters after trimming), "limit" (outside 1-100) or "before" (not a cursor). The
// cursor is the id of the last room of the previous page: ids are UUIDv7, so it pages in
// creation order and stays stable while rooms are created.
absl::StatusOr<PublicRoomQuery> ValidateDirectoryInput(const DirectoryInput& input);

class RoomDirectory {
 public:
  // `rooms` must outlive this.
  explicit RoomDirectory(RoomRepository& rooms) : rooms_(rooms) {}

  absl::StatusOr<PublicRoomPage> ListPublicRooms(const DirectoryInput& input);

 private:
  RoomRepository& rooms_;
};

}  // namespace chatter::chat
