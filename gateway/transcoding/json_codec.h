// Proto message <-> JSON by reflection, in the shapes of shared/API.md: proto (snake_case) field
// names, every field printed, int64 as JSON numbers, Timestamps as RFC 3339 with milliseconds,
// unset optional and message fields as null; decode errors name the offending field.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

// Deepest nesting of JSON objects/arrays a request body may have.
inline constexpr int kDefaultMaxJsonDepth = 32;

// Parses `text` as JSON, refusing (INVALID_ARGUMENT naming `field`) invalid UTF-8, malformed
// JSON, numbers beyond a double and nesting deeper than `max_depth`, before any of it is built.
absl::StatusOr<nlohmann::json> ParseBoundedJson(absl::string_view text, int max_depth,
                                                absl::string_view field);

// Parses `body` and merges the JSON object it holds into `message`. Errors are
// INVALID_ARGUMENT with a field detail: the field's path ("attachments[1].url"), or "body" when
// the text is not UTF-8, not JSON, not an object, or nested deeper than `max_depth`.
absl::Status DecodeJsonBody(absl::string_view body, google::protobuf::Message& message,
                            int max_depth = kDefaultMaxJsonDepth);

// The same for an already parsed JSON value (which must be an object).
absl::Status DecodeJsonObject(const nlohmann::json& object, google::protobuf::Message& message,
                              int max_depth = kDefaultMaxJsonDepth);

// The whole message as a JSON object, fields in declaration order.
nlohmann::ordered_json EncodeJson(const google::protobuf::Message& message);

// One field of `message` as JSON (null when the field tracks presence and is unset): the HTTP
// body of routes whose response_body names a field.
nlohmann::ordered_json EncodeFieldJson(const google::protobuf::Message& message,
                                       const google::protobuf::FieldDescriptor* field);

// Compact text for an HTTP body; never throws (invalid UTF-8 is replaced, not fatal).
std::string DumpJson(const nlohmann::ordered_json& json);

}  // namespace chatter::gateway
