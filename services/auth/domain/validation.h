// Input rules of API.md's Auth section: usernames, emails and passwords.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::auth {

// 3-32 of [a-z0-9_.-] after lower-casing; INVALID_ARGUMENT naming "username" otherwise.
absl::StatusOr<std::string> NormalizeUsername(absl::string_view username);
// A plausible address (one @, non-empty local part <= 64, a dotted domain, no spaces or
// control characters, <= 254 in all), lower-cased; INVALID_ARGUMENT naming "email" otherwise.
absl::StatusOr<std::string> NormalizeEmail(absl::string_view email);
// 8-128 Unicode characters of valid UTF-8; INVALID_ARGUMENT naming "password" otherwise.
absl::Status ValidatePassword(absl::string_view password, absl::string_view field = "password");

}  // namespace chatter::auth
