// Builds a route's request message from the HTTP request: path parameters, then the JSON body
// (body "*") or the query string (body ""), with errors naming the field. Also the query-string
// parser, written here because Boost 1.74 has no Boost.URL.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/transcoding/route_table.h"

namespace chatter::gateway {

struct QueryParam {
  std::string name;
  std::string value;
};

// Percent-decodes `text` ('+' is a space when `plus_is_space`, as in query strings). Fails on a
// truncated or non-hex escape; the result may hold any bytes (callers check UTF-8).
absl::StatusOr<std::string> PercentDecode(absl::string_view text, bool plus_is_space);

// "a=1&b=x%20y&b=z&flag" -> [{a,1},{b,x y},{b,z},{flag,""}], in order. Empty pieces ("&&") are
// skipped; a piece with an empty name or a bad escape is INVALID_ARGUMENT naming "query".
absl::StatusOr<std::vector<QueryParam>> ParseQueryString(absl::string_view query);

// The decoded {params} of `path_template` in `path` (a path the router matched to it).
absl::StatusOr<std::map<std::string, std::string>> ExtractPathParams(
    absl::string_view path_template, absl::string_view path);

// Fills `request` (a fresh message of route.rpc->input_type()): from the JSON body (empty
// counts as {}) on body "*" routes, else from `query` (the raw text after '?'); path parameters
// last, so they win. Every error is INVALID_ARGUMENT naming the field or parameter.
absl::Status BindRequest(const RouteSpec& route,
                         const std::map<std::string, std::string>& path_params,
                         absl::string_view query, absl::string_view body,
                         google::protobuf::Message& request);

}  // namespace chatter::gateway
