// Scalar conversions shared by the JSON codec and request binding (path and query values), so a
// field such as "seq" accepts and rejects the same text wherever it arrives, with the same errors.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

// Whether `type` is google.protobuf.Timestamp (carried as an RFC 3339 string on the wire).
bool IsTimestamp(const google::protobuf::Descriptor* type);

// "2026-11-22T10:12:00.123Z": UTC, exactly three fractional digits (sub-millisecond truncated).
std::string FormatTimestamp(int64_t seconds, int32_t nanos);

struct TimestampValue {
  int64_t seconds = 0;
  int32_t nanos = 0;
};
// RFC 3339 with a 'Z' or numeric offset and 0-9 fractional digits, years 0001-9999.
absl::StatusOr<TimestampValue> ParseTimestamp(absl::string_view text);

// Strict decimal integers: an optional '-' (signed only) then digits; no spaces, no '+'.
absl::StatusOr<int64_t> ParseSignedDecimal(absl::string_view text, int64_t min, int64_t max);
absl::StatusOr<uint64_t> ParseUnsignedDecimal(absl::string_view text, uint64_t max);

// The lower-case spelling of an enum value (what the encoder prints); matching is
// case-insensitive on input.
std::string EnumJsonName(const google::protobuf::EnumValueDescriptor* value);
const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* type, absl::string_view name);

// Sets (or, for a repeated field, appends) `field` of `message` from its text form: a path
// segment or a query value. Integers are range-checked, strings must be UTF-8, Timestamps are
// RFC 3339. Errors are INVALID_ARGUMENT naming `path`.
absl::Status SetFieldFromText(google::protobuf::Message& message,
                              const google::protobuf::FieldDescriptor* field,
                              absl::string_view text, absl::string_view path);

// INVALID_ARGUMENT naming both members of one oneof that were given together.
absl::Status OneofConflictError(absl::string_view first_path, absl::string_view second_path);

}  // namespace chatter::gateway
