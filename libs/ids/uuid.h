// Parsing helpers for UUIDs in their canonical text form (8-4-4-4-12 hex digits).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatter::ids {

// True for 36 characters of hex digits (either case) with dashes at 8, 13, 18 and 23. Any
// version and variant is accepted: ids arriving from clients are compared, not interpreted.
bool IsValidUuid(std::string_view text);

// The lower-case form of a valid UUID, so ids compare equal whatever case a client sent.
std::optional<std::string> NormalizeUuid(std::string_view text);

// The Unix milliseconds held in a version-7 UUID; nullopt when `text` is not a valid UUIDv7.
std::optional<int64_t> UuidV7UnixMillis(std::string_view text);

}  // namespace chatter::ids
