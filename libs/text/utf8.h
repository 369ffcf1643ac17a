// UTF-8 checks shared by every service that validates user text (passwords, message content).
#pragma once

#include "absl/strings/string_view.h"

namespace chatter::text {

// Number of Unicode code points in `text`, or -1 when it is not valid UTF-8 (overlong forms,
// surrogates and values past U+10FFFF are invalid).
int CountCodePoints(absl::string_view text);

inline bool IsValidUtf8(absl::string_view text) { return CountCodePoints(text) >= 0; }

}  // namespace chatter::text
