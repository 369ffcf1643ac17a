// Request binding: path parameters, JSON body or query string -> request message.
#include "gateway/transcoding/request_binding.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/transcoding/field_values.h"
#include "gateway/transcoding/json_codec.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"

namespace chatter::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::vector<absl::string_view> PathSegments(absl::string_view path) {
  return absl::StrSplit(path, '/', absl::SkipEmpty());
}

// Fields a query value can spell: scalars, repeated scalars (one key per element), Timestamps.
bool IsQueryType(const FieldDescriptor* field) {
  if (field->is_map()) return false;
  return field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
         IsTimestamp(field->message_type());
}

absl::Status BindQuery(absl::string_view query, Message& request) {
  CHATTER_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryString(query));
  const google::protobuf::Descriptor* type = request.GetDescriptor();
  std::set<std::string> seen;
  std::map<const google::protobuf::OneofDescriptor*, std::string> oneofs_seen;
  for (const QueryParam& param : params) {
    const FieldDescriptor* field = type->FindFieldByName(param.name);
    if (field == nullptr) return status::InvalidFieldError(param.name, "unknown query parameter");
    if (!IsQueryType(field)) {
      return status::InvalidFieldError(param.name, "cannot be given as a query parameter");
    }
    if (!seen.insert(param.name).second && !field->is_repeated()) {
      return status::InvalidFieldError(param.name, "is given more than once");
    }
    if (const auto* oneof = field->real_containing_oneof()) {
      auto [first, added] = oneofs_seen.emplace(oneof, param.name);
      if (!added && first->second != param.name) {
        return OneofConflictError(first->second, param.name);
      }
    }
    CHATTER_RETURN_IF_ERROR(SetFieldFromText(request, field, param.value, param.name));
  }
  return absl::OkStatus();
}

absl::Status BindBody(absl::string_view query, absl::string_view body, Message& request) {
  // A body route takes its fields from the body only; a stray query parameter is refused
  // rather than silently dropped, so a client misspelling a route finds out.
  CHATTER_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryString(query));
  if (!params.empty()) {
    return status::InvalidFieldError(params.front().name,
                                     "query parameters are not accepted here; send a JSON body");
  }
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();  // Empty body is {}.
  return DecodeJsonBody(body, request);
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(absl::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      bool complete = i + 2 < text.size();
      int high = complete ? HexValue(text[i + 1]) : -1;
      int low = complete ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) return absl::InvalidArgumentError("malformed percent-encoding");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

absl::StatusOr<std::vector<QueryParam>> ParseQueryString(absl::string_view query) {
  std::vector<QueryParam> params;
  for (absl::string_view piece : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> raw =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> name = PercentDecode(raw.first, true);
    absl::StatusOr<std::string> value = PercentDecode(raw.second, true);
    if (!name.ok() || !value.ok()) {
      return status::InvalidFieldError("query", "malformed percent-encoding");
    }
    if (name->empty()) return status::InvalidFieldError("query", "a parameter has no name");
    // Names are echoed in error details, which must stay valid UTF-8 to survive the trip.
    if (!text::IsValidUtf8(*name)) return status::InvalidFieldError("query", "invalid UTF-8");
    params.push_back({*std::move(name), *std::move(value)});
  }
  return params;
}

absl::StatusOr<std::map<std::string, std::string>> ExtractPathParams(
    absl::string_view path_template, absl::string_view path) {
  std::vector<absl::string_view> pattern = PathSegments(path_template);
  std::vector<absl::string_view> segments = PathSegments(path);
  if (pattern.size() != segments.size()) {
    return absl::InternalError(absl::StrCat(path, " does not match ", path_template));
  }
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (!absl::StartsWith(pattern[i], "{")) continue;
    std::string name(pattern[i].substr(1, pattern[i].size() - 2));
    absl::StatusOr<std::string> value = PercentDecode(segments[i], false);
    if (!value.ok()) return status::InvalidFieldError(name, value.status().message());
    params[name] = *std::move(value);
  }
  return params;
}

absl::Status BindRequest(const RouteSpec& route,
                         const std::map<std::string, std::string>& path_params,
                         absl::string_view query, absl::string_view body, Message& request) {
  CHATTER_RETURN_IF_ERROR(route.body == "*" ? BindBody(query, body, request)
                                            : BindQuery(query, request));
  for (const auto& [name, value] : path_params) {
    const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(name);
    if (field == nullptr) {
      return absl::InternalError(absl::StrCat("path parameter ", name, " names no field"));
    }
    CHATTER_RETURN_IF_ERROR(SetFieldFromText(request, field, value, name));
  }
  return absl::OkStatus();
}

}  // namespace chatter::gateway
