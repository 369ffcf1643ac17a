// The emoji of a reaction, the key reactions are counted under: 1-16 Unicode characters without
// white space or control characters. Any emoji sequence fits (skin tones, flags, ZWJ families);
// no emoji table is consulted, so new Unicode versions need no release.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::chat {

inline constexpr int kMaxEmojiChars = 16;

// `emoji` unchanged when it is valid UTF-8 of 1-16 code points, none of them White_Space or a C0/C1
// control character or DEL (ZWJ U+200D and variation selectors are allowed); INVALID_ARGUMENT
// naming "emoji" otherwise.
absl::StatusOr<std::string> NormalizeEmoji(absl::string_view emoji);

}  // namespace chatter::chat
