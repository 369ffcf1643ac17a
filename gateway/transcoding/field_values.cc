// Scalar conversions shared by the JSON codec and request binding.
#include "gateway/transcoding/field_values.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/error_details.h"
#include "libs/text/utf8.h"

namespace chatter::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range google.protobuf.Timestamp allows.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool DigitsAt(absl::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return false;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

// absl::ParseTime is lenient about spaces and widths; RFC 3339 is not, so check the shape first.
bool HasRfc3339Shape(absl::string_view t) {
  if (t.size() < 20) return false;
  bool date_time = DigitsAt(t, 0, 4) && t[4] == '-' && DigitsAt(t, 5, 2) && t[7] == '-' &&
                   DigitsAt(t, 8, 2) && (t[10] == 'T' || t[10] == 't') && DigitsAt(t, 11, 2) &&
                   t[13] == ':' && DigitsAt(t, 14, 2) && t[16] == ':' && DigitsAt(t, 17, 2);
  if (!date_time) return false;
  size_t i = 19;
  if (t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == start || i - start > 9) return false;
  }
  if (i >= t.size()) return false;
  if (t[i] == 'Z' || t[i] == 'z') return i + 1 == t.size();
  if (t[i] != '+' && t[i] != '-') return false;
  return i + 6 == t.size() && DigitsAt(t, i + 1, 2) && t[i + 3] == ':' && DigitsAt(t, i + 4, 2);
}

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Accumulates digits (already checked) with an overflow check; nullopt when past uint64.
std::optional<uint64_t> DigitsValue(absl::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

constexpr char kNotAnInteger[] = "must be an integer";

absl::Status RangeError(absl::string_view min, absl::string_view max) {
  return absl::InvalidArgumentError(absl::StrCat("must be between ", min, " and ", max));
}

absl::StatusOr<double> ParseFloatText(absl::string_view text, bool single_precision) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  bool plain =
      !text.empty() && text.find_first_not_of("0123456789.eE+-") == absl::string_view::npos;
  if (!plain || !absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError("must be a number");
  }
  if (single_precision && std::fabs(value) > FLT_MAX) {
    return absl::InvalidArgumentError("is out of range for a float");
  }
  return value;
}

absl::StatusOr<bool> ParseBoolText(absl::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return absl::InvalidArgumentError("must be true or false");
}

absl::StatusOr<std::string> DecodeBytesText(absl::string_view text) {
  std::string bytes;
  if (absl::Base64Unescape(text, &bytes) || absl::WebSafeBase64Unescape(text, &bytes)) {
    return bytes;
  }
  return absl::InvalidArgumentError("must be base64");
}

absl::Status SetTimestampFromText(Message& message, const FieldDescriptor* field,
                                  absl::string_view text) {
  absl::StatusOr<TimestampValue> value = ParseTimestamp(text);
  if (!value.ok()) return value.status();
  const Reflection* reflection = message.GetReflection();
  Message* timestamp = field->is_repeated() ? reflection->AddMessage(&message, field)
                                            : reflection->MutableMessage(&message, field);
  const google::protobuf::Descriptor* type = timestamp->GetDescriptor();
  const Reflection* timestamp_reflection = timestamp->GetReflection();
  timestamp_reflection->SetInt64(timestamp, type->FindFieldByName("seconds"), value->seconds);
  timestamp_reflection->SetInt32(timestamp, type->FindFieldByName("nanos"), value->nanos);
  return absl::OkStatus();
}

// The conversion itself; errors carry only the reason, SetFieldFromText names the field.
absl::Status SetFromText(Message& message, const FieldDescriptor* field, absl::string_view text) {
  const Reflection* reflection = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value;
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        absl::StatusOr<std::string> bytes = DecodeBytesText(text);
        if (!bytes.ok()) return bytes.status();
        value = *std::move(bytes);
      } else {
        if (!text::IsValidUtf8(text)) return absl::InvalidArgumentError("invalid UTF-8");
        value = std::string(text);
      }
      repeated ? reflection->AddString(&message, field, std::move(value))
               : reflection->SetString(&message, field, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      auto value = ParseSignedDecimal(text, std::numeric_limits<int32_t>::min(),
                                      std::numeric_limits<int32_t>::max());
      if (!value.ok()) return value.status();
      auto v = static_cast<int32_t>(*value);
      repeated ? reflection->AddInt32(&message, field, v)
               : reflection->SetInt32(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      auto value = ParseSignedDecimal(text, std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max());
      if (!value.ok()) return value.status();
      repeated ? reflection->AddInt64(&message, field, *value)
               : reflection->SetInt64(&message, field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      auto value = ParseUnsignedDecimal(text, std::numeric_limits<uint32_t>::max());
      if (!value.ok()) return value.status();
      auto v = static_cast<uint32_t>(*value);
      repeated ? reflection->AddUInt32(&message, field, v)
               : reflection->SetUInt32(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto value = ParseUnsignedDecimal(text, std::numeric_limits<uint64_t>::max());
      if (!value.ok()) return value.status();
      repeated ? reflection->AddUInt64(&message, field, *value)
               : reflection->SetUInt64(&message, field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      bool single = field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT;
      auto value = ParseFloatText(text, single);
      if (!value.ok()) return value.status();
      if (single) {
        auto v = static_cast<float>(*value);
        repeated ? reflection->AddFloat(&message, field, v)
                 : reflection->SetFloat(&message, field, v);
      } else {
        repeated ? reflection->AddDouble(&message, field, *value)
                 : reflection->SetDouble(&message, field, *value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      auto value = ParseBoolText(text);
      if (!value.ok()) return value.status();
      repeated ? reflection->AddBool(&message, field, *value)
               : reflection->SetBool(&message, field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = FindEnumValue(field->enum_type(), text);
      if (value == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < field->enum_type()->value_count(); ++i) {
          names.push_back(EnumJsonName(field->enum_type()->value(i)));
        }
        return absl::InvalidArgumentError(
            absl::StrCat("must be one of: ", absl::StrJoin(names, ", ")));
      }
      repeated ? reflection->AddEnum(&message, field, value)
               : reflection->SetEnum(&message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsTimestamp(field->message_type())) return SetTimestampFromText(message, field, text);
      return absl::InvalidArgumentError("cannot be given as text");
  }
  return absl::InvalidArgumentError("has an unsupported type");
}

}  // namespace

bool IsTimestamp(const google::protobuf::Descriptor* type) {
  return type != nullptr && type->full_name() == "google.protobuf.Timestamp";
}

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  absl::Time time = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  absl::CivilSecond civil = absl::ToCivilSecond(time, absl::UTCTimeZone());
  // Floor, not truncation toward zero, so pre-1970 instants print the millisecond they fall in.
  int64_t millis = absl::ToInt64Milliseconds(time - absl::FromCivil(civil, absl::UTCTimeZone()));
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", civil.year(), civil.month(),
                         civil.day(), civil.hour(), civil.minute(), civil.second(), millis);
}

absl::StatusOr<TimestampValue> ParseTimestamp(absl::string_view text) {
  static constexpr char kReason[] = "must be an RFC 3339 timestamp, e.g. 2026-11-22T10:12:00.123Z";
  if (!HasRfc3339Shape(text)) return absl::InvalidArgumentError(kReason);
  std::string normalized = absl::AsciiStrToUpper(text);
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, normalized, &time, &error)) {
    return absl::InvalidArgumentError(kReason);
  }
  int64_t seconds = absl::ToUnixSeconds(time);
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError("must be between years 0001 and 9999");
  }
  absl::Duration rest = time - absl::FromUnixSeconds(seconds);
  return TimestampValue{seconds, static_cast<int32_t>(absl::ToInt64Nanoseconds(rest))};
}

absl::StatusOr<int64_t> ParseSignedDecimal(absl::string_view text, int64_t min, int64_t max) {
  bool negative = absl::ConsumePrefix(&text, "-");
  if (!AllDigits(text)) return absl::InvalidArgumentError(kNotAnInteger);
  std::optional<uint64_t> magnitude = DigitsValue(text);
  // Compared as unsigned magnitudes: |INT64_MIN| does not fit an int64.
  uint64_t limit =
      negative ? (min < 0 ? static_cast<uint64_t>(-(min + 1)) + 1 : 0) : static_cast<uint64_t>(max);
  if (!magnitude || *magnitude > limit) return RangeError(absl::StrCat(min), absl::StrCat(max));
  if (!negative || *magnitude == 0) return static_cast<int64_t>(*magnitude);
  return -static_cast<int64_t>(*magnitude - 1) - 1;
}

absl::StatusOr<uint64_t> ParseUnsignedDecimal(absl::string_view text, uint64_t max) {
  bool negative = absl::ConsumePrefix(&text, "-");
  if (!AllDigits(text)) return absl::InvalidArgumentError(kNotAnInteger);
  std::optional<uint64_t> value = DigitsValue(text);
  if (!value || *value > max || (negative && *value != 0)) {
    return RangeError("0", absl::StrCat(max));
  }
  return *value;
}

std::string EnumJsonName(const google::protobuf::EnumValueDescriptor* value) {
  return absl::AsciiStrToLower(value->name());
}

const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* type, absl::string_view name) {
  for (int i = 0; i < type->value_count(); ++i) {
    if (absl::EqualsIgnoreCase(type->value(i)->name(), name)) return type->value(i);
  }
  return nullptr;
}

absl::Status SetFieldFromText(Message& message, const FieldDescriptor* field,
                              absl::string_view text, absl::string_view path) {
  absl::Status status = SetFromText(message, field, text);
  if (status.ok()) return status;
  return status::InvalidFieldError(path, status.message());
}

absl::Status OneofConflictError(absl::string_view first_path, absl::string_view second_path) {
  std::string reason =
      absl::StrCat("only one of ", first_path, " and ", second_path, " may be set");
  absl::Status status = absl::InvalidArgumentError(reason);
  common::v1::ErrorDetails details;
  for (absl::string_view path : {first_path, second_path}) {
    auto* violation = details.add_field_violations();
    violation->set_field(std::string(path));
    violation->set_reason(reason);
  }
  status::SetErrorDetails(status, details);
  return status;
}

}  // namespace chatter::gateway
