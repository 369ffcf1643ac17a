// Reflection-based JSON codec. Every scalar goes through SetFieldFromText, so JSON bodies, path
// segments and query values share one set of conversions and error messages.
#include "gateway/transcoding/json_codec.h"

#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gateway/transcoding/field_values.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"

namespace chatter::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;
using nlohmann::ordered_json;

std::string Join(const std::string& prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, ".", name);
}

// The decimal text of a JSON number for an integer field, or the reason it is not one.
absl::StatusOr<std::string> IntegerText(const json& value) {
  if (value.is_number_unsigned()) return absl::StrCat(value.get<uint64_t>());
  if (value.is_number_integer()) return absl::StrCat(value.get<int64_t>());
  double number = value.get<double>();
  if (std::trunc(number) != number) return absl::InvalidArgumentError("must be an integer");
  // Integral doubles (1e3, 5.0) are accepted; beyond 2^64 they cannot fit any integer field.
  if (std::fabs(number) >= 18446744073709551616.0) {
    return absl::InvalidArgumentError("is out of range");
  }
  return absl::StrFormat("%.0f", number);
}

// An enum number given as a JSON integer, when it fits an int32 (nlohmann would wrap it).
std::optional<int> Int32Value(const json& value) {
  if (value.is_number_unsigned()) {
    uint64_t number = value.get<uint64_t>();
    if (number <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) return number;
  } else if (value.is_number_integer()) {
    int64_t number = value.get<int64_t>();
    if (number >= std::numeric_limits<int32_t>::min() &&
        number <= std::numeric_limits<int32_t>::max()) {
      return static_cast<int>(number);
    }
  }
  return std::nullopt;
}

// The JSON value of one scalar field, as the text SetFieldFromText accepts.
absl::StatusOr<std::string> ScalarText(const json& value, const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (value.is_string()) return value.get<std::string>();
      return absl::InvalidArgumentError("must be a string");
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      if (value.is_string()) return value.get<std::string>();  // Decimal strings, as proto3 JSON.
      if (value.is_number()) return IntegerText(value);
      return absl::InvalidArgumentError("must be an integer");
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      if (value.is_string()) return value.get<std::string>();
      if (value.is_number()) return absl::StrFormat("%.17g", value.get<double>());
      return absl::InvalidArgumentError("must be a number");
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
      return absl::InvalidArgumentError("must be a boolean");
    case FieldDescriptor::CPPTYPE_ENUM:
      if (value.is_string()) return value.get<std::string>();
      if (std::optional<int> number = Int32Value(value)) {
        const auto* known = field->enum_type()->FindValueByNumber(*number);
        if (known != nullptr) return known->name();
      }
      return absl::InvalidArgumentError("must be a string");
    case FieldDescriptor::CPPTYPE_MESSAGE:  // Only Timestamps get here.
      if (value.is_string()) return value.get<std::string>();
      return absl::InvalidArgumentError(
          "must be an RFC 3339 timestamp string, e.g. 2026-11-22T10:12:00.123Z");
  }
  return absl::InvalidArgumentError("has an unsupported type");
}

class Decoder {
 public:
  explicit Decoder(int max_depth) : max_depth_(max_depth) {}

  absl::Status DecodeMessage(const json& object, Message& message, const std::string& path,
                             int depth) const {
    absl::string_view name = path.empty() ? "body" : absl::string_view(path);
    if (!object.is_object()) return status::InvalidFieldError(name, "must be a JSON object");
    if (depth > max_depth_) return status::InvalidFieldError(name, "is nested too deeply");
    const google::protobuf::Descriptor* type = message.GetDescriptor();
    // The first member seen of each oneof, to name both when a second one arrives.
    std::map<const google::protobuf::OneofDescriptor*, std::string> oneofs_seen;
    for (const auto& [key, value] : object.items()) {
      std::string field_path = Join(path, key);
      const FieldDescriptor* field = type->FindFieldByName(key);
      if (field == nullptr) return status::InvalidFieldError(field_path, "unknown field");
      if (value.is_null()) continue;  // null means "unset".
      if (const auto* oneof = field->real_containing_oneof()) {
        auto [seen, first] = oneofs_seen.emplace(oneof, field_path);
        if (!first) return OneofConflictError(seen->second, field_path);
      }
      CHATTER_RETURN_IF_ERROR(DecodeField(value, message, field, field_path, depth));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status DecodeField(const json& value, Message& message, const FieldDescriptor* field,
                           const std::string& path, int depth) const {
    if (field->is_map()) return DecodeMap(value, message, field, path, depth);
    if (!field->is_repeated()) return DecodeValue(value, message, field, path, depth);
    if (!value.is_array()) return status::InvalidFieldError(path, "must be an array");
    for (size_t i = 0; i < value.size(); ++i) {
      std::string item_path = absl::StrCat(path, "[", i, "]");
      if (value[i].is_null()) return status::InvalidFieldError(item_path, "must not be null");
      CHATTER_RETURN_IF_ERROR(DecodeValue(value[i], message, field, item_path, depth));
    }
    return absl::OkStatus();
  }

  // A map is a JSON object whose keys are the map keys in text form.
  absl::Status DecodeMap(const json& value, Message& message, const FieldDescriptor* field,
                         const std::string& path, int depth) const {
    if (!value.is_object()) return status::InvalidFieldError(path, "must be a JSON object");
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    for (const auto& [key, item] : value.items()) {
      std::string item_path = Join(path, key);
      if (item.is_null()) return status::InvalidFieldError(item_path, "must not be null");
      Message* entry = message.GetReflection()->AddMessage(&message, field);
      CHATTER_RETURN_IF_ERROR(SetFieldFromText(*entry, key_field, key, item_path));
      CHATTER_RETURN_IF_ERROR(DecodeValue(item, *entry, value_field, item_path, depth));
    }
    return absl::OkStatus();
  }

  // One value: sets a singular field or appends to a repeated one.
  absl::Status DecodeValue(const json& value, Message& message, const FieldDescriptor* field,
                           const std::string& path, int depth) const {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !IsTimestamp(field->message_type())) {
      const Reflection* reflection = message.GetReflection();
      Message* child = field->is_repeated() ? reflection->AddMessage(&message, field)
                                            : reflection->MutableMessage(&message, field);
      return DecodeMessage(value, *child, path, depth + 1);
    }
    absl::StatusOr<std::string> text = ScalarText(value, field);
    if (!text.ok()) return status::InvalidFieldError(path, text.status().message());
    return SetFieldFromText(message, field, *text, path);
  }

  int max_depth_;
};

ordered_json EncodeValue(const Message& message, const FieldDescriptor* field, int index);

ordered_json EncodeTimestamp(const Message& timestamp) {
  const google::protobuf::Descriptor* type = timestamp.GetDescriptor();
  const Reflection* reflection = timestamp.GetReflection();
  return FormatTimestamp(reflection->GetInt64(timestamp, type->FindFieldByName("seconds")),
                         reflection->GetInt32(timestamp, type->FindFieldByName("nanos")));
}

ordered_json EncodeDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

ordered_json EncodeMap(const Message& message, const FieldDescriptor* field) {
  ordered_json out = ordered_json::object();
  const Reflection* reflection = message.GetReflection();
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
    const Message& entry = reflection->GetRepeatedMessage(message, field, i);
    ordered_json key = EncodeValue(entry, key_field, -1);
    std::string key_text = key.is_string() ? key.get<std::string>() : key.dump();
    out[key_text] = EncodeValue(entry, value_field, -1);
  }
  return out;
}

// The value of a singular field (index < 0) or of one element of a repeated field.
ordered_json EncodeValue(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool one = index < 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return one ? r->GetInt32(message, field) : r->GetRepeatedInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_INT64:
      return one ? r->GetInt64(message, field) : r->GetRepeatedInt64(message, field, index);
    case FieldDescriptor::CPPTYPE_UINT32:
      return one ? r->GetUInt32(message, field) : r->GetRepeatedUInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_UINT64:
      return one ? r->GetUInt64(message, field) : r->GetRepeatedUInt64(message, field, index);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return EncodeDouble(one ? r->GetDouble(message, field)
                              : r->GetRepeatedDouble(message, field, index));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return EncodeDouble(one ? r->GetFloat(message, field)
                              : r->GetRepeatedFloat(message, field, index));
    case FieldDescriptor::CPPTYPE_BOOL:
      return one ? r->GetBool(message, field) : r->GetRepeatedBool(message, field, index);
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number =
          one ? r->GetEnumValue(message, field) : r->GetRepeatedEnumValue(message, field, index);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) return number;  // An open enum's unknown value has no name.
      return EnumJsonName(value);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value =
          one ? r->GetString(message, field) : r->GetRepeatedString(message, field, index);
      if (field->type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(value);
      return value;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& child =
          one ? r->GetMessage(message, field) : r->GetRepeatedMessage(message, field, index);
      if (IsTimestamp(field->message_type())) return EncodeTimestamp(child);
      return EncodeJson(child);
    }
  }
  return nullptr;
}

// nlohmann's parser callback sees every value with its depth; deeper bodies are refused whole.
struct DepthGuard {
  int max_depth;
  bool exceeded = false;
  bool operator()(int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth) {
      exceeded = true;
      return false;
    }
    return true;
  }
};

}  // namespace

absl::StatusOr<json> ParseBoundedJson(absl::string_view text, int max_depth,
                                      absl::string_view field) {
  // nlohmann refuses invalid UTF-8 too, but only with a parse error; name it plainly instead.
  if (!text::IsValidUtf8(text)) return status::InvalidFieldError(field, "invalid UTF-8");
  DepthGuard guard{max_depth};
  json parsed;
  try {
    parsed = json::parse(text.begin(), text.end(), std::ref(guard));
  } catch (const json::parse_error& error) {
    return status::InvalidFieldError(field, absl::StrCat("malformed JSON near byte ", error.byte));
  } catch (const json::exception&) {
    // nlohmann throws out_of_range, not parse_error, for numbers past a double (1e400).
    return status::InvalidFieldError(field, "holds a number out of range");
  }
  if (guard.exceeded) {
    return status::InvalidFieldError(field,
                                     absl::StrCat("is nested deeper than ", max_depth, " levels"));
  }
  return parsed;
}

absl::Status DecodeJsonBody(absl::string_view body, Message& message, int max_depth) {
  CHATTER_ASSIGN_OR_RETURN(json parsed, ParseBoundedJson(body, max_depth, "body"));
  return DecodeJsonObject(parsed, message, max_depth);
}

absl::Status DecodeJsonObject(const json& object, Message& message, int max_depth) {
  return Decoder(max_depth).DecodeMessage(object, message, "", 1);
}

ordered_json EncodeJson(const Message& message) {
  ordered_json out = ordered_json::object();
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    out[field->name()] = EncodeFieldJson(message, field);
  }
  return out;
}

ordered_json EncodeFieldJson(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  if (field->is_map()) return EncodeMap(message, field);
  if (field->is_repeated()) {
    ordered_json items = ordered_json::array();
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      items.push_back(EncodeValue(message, field, i));
    }
    return items;
  }
  if (field->has_presence() && !reflection->HasField(message, field)) return nullptr;
  return EncodeValue(message, field, -1);
}

std::string DumpJson(const ordered_json& json) {
  return json.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace chatter::gateway
