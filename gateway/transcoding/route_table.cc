// Builds and validates the route table from the (chatter.api.http) method options.
#include "gateway/transcoding/route_table.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "chatter/api/http.pb.h"
#include "chatter/auth/v1/auth.pb.h"
#include "chatter/chat/v1/chat.pb.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "libs/status/status_macros.h"

namespace chatter::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

bool IsIdentifier(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(name[0])) return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

bool IsSuccessStatus(int status) {
  return status == 200 || status == 201 || status == 202 || status == 204;
}

// Only fields a path segment can spell unambiguously.
bool IsPathParamType(const FieldDescriptor* field) {
  if (field->is_repeated()) return false;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return field->type() == FieldDescriptor::TYPE_STRING;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

// The {names} of `path`, checked against the router's syntax (whole-segment parameters).
absl::StatusOr<std::vector<std::string>> PathParams(absl::string_view path) {
  if (!absl::StartsWith(path, "/") || path.size() < 2) {
    return absl::InvalidArgumentError("path must start with '/' and name a resource");
  }
  if (path.find_first_of("?#* ") != absl::string_view::npos) {
    return absl::InvalidArgumentError("path must not contain '?', '#', '*' or spaces");
  }
  std::vector<std::string> params;
  for (absl::string_view segment : absl::StrSplit(path.substr(1), '/')) {
    if (segment.empty()) return absl::InvalidArgumentError("path has an empty segment");
    bool braced = absl::StartsWith(segment, "{") && absl::EndsWith(segment, "}");
    if (!braced) {
      if (segment.find_first_of("{}") != absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", segment, "': a parameter must be a whole segment"));
      }
      continue;
    }
    std::string name(segment.substr(1, segment.size() - 2));
    if (!IsIdentifier(name)) {
      return absl::InvalidArgumentError(absl::StrCat("'", segment, "' is not a field name"));
    }
    if (std::find(params.begin(), params.end(), name) != params.end()) {
      return absl::InvalidArgumentError(absl::StrCat("{", name, "} appears twice"));
    }
    params.push_back(std::move(name));
  }
  return params;
}

absl::Status CheckRule(const MethodDescriptor* rpc, const api::HttpRule& rule,
                       const std::vector<std::string>& params) {
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (!kMethods.count(rule.method())) {
    return absl::InvalidArgumentError(
        absl::StrCat("method '", rule.method(), "' is not one of ", absl::StrJoin(kMethods, ", ")));
  }
  if (rpc->client_streaming() || rpc->server_streaming()) {
    return absl::InvalidArgumentError("streaming RPCs cannot be REST routes");
  }
  if (rule.body() != "*" && !rule.body().empty()) {
    return absl::InvalidArgumentError("body must be \"*\" or \"\"");
  }
  // DELETE may carry a body (RFC 9110 gives it no meaning, and some proxies drop it), but
  // `DELETE /v1/me` takes its confirming password there, as API.md says: keep it in the body
  // rather than in a URL that logs and proxies record.
  if (rule.body() == "*" && rule.method() == "GET") {
    return absl::InvalidArgumentError("GET routes take no body");
  }
  if (!IsSuccessStatus(rule.success_status())) {
    return absl::InvalidArgumentError("success_status must be 200, 201, 202 or 204");
  }
  for (const std::string& name : params) {
    const FieldDescriptor* field = rpc->input_type()->FindFieldByName(name);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("{", name, "} names no field of ", rpc->input_type()->full_name()));
    }
    if (!IsPathParamType(field)) {
      return absl::InvalidArgumentError(
          absl::StrCat("{", name, "} must be a singular string or integer field"));
    }
  }
  const google::protobuf::Descriptor* output = rpc->output_type();
  if (!rule.response_body().empty() && output->FindFieldByName(rule.response_body()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("response_body '", rule.response_body(),
                                                   "' names no field of ", output->full_name()));
  }
  if (rule.repeat_status() != 0) {
    const FieldDescriptor* created = output->FindFieldByName("created");
    if (!IsSuccessStatus(rule.repeat_status())) {
      return absl::InvalidArgumentError("repeat_status must be 200, 201, 202 or 204");
    }
    if (created == nullptr || created->is_repeated() ||
        created->cpp_type() != FieldDescriptor::CPPTYPE_BOOL) {
      return absl::InvalidArgumentError(
          absl::StrCat("repeat_status needs a bool `created` field in ", output->full_name()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RouteSpec> RouteFor(const MethodDescriptor* rpc, const api::HttpRule& rule) {
  absl::StatusOr<std::vector<std::string>> params = PathParams(rule.path());
  absl::Status checked = params.ok() ? CheckRule(rpc, rule, *params) : params.status();
  if (!checked.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("route of ", rpc->full_name(), " (", rule.path(), "): ", checked.message()));
  }
  RouteSpec route;
  route.method = rule.method();
  route.path_template = rule.path();
  route.rpc = rpc;
  route.body = rule.body();
  route.success_status = rule.success_status();
  route.authenticated = rule.authenticated();
  route.response_body = rule.response_body();
  route.repeat_status = rule.repeat_status();
  route.grpc_method_path = absl::StrCat("/", rpc->service()->full_name(), "/", rpc->name());
  route.backend = rpc->service()->full_name();
  route.path_params = *std::move(params);
  return route;
}

// "GET /v1/rooms/{}": two templates with the same shape would shadow each other in the router.
std::string Shape(const RouteSpec& route) {
  std::vector<std::string> segments = absl::StrSplit(route.path_template, '/');
  for (std::string& segment : segments) {
    if (absl::StartsWith(segment, "{")) segment = "{}";
  }
  return absl::StrCat(route.method, " ", absl::StrJoin(segments, "/"));
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::FromFiles(
    const std::vector<const google::protobuf::FileDescriptor*>& files) {
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const auto* file : files) {
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  return FromServices(services);
}

absl::StatusOr<RouteTable> RouteTable::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  std::map<std::string, std::string> rpc_by_shape;
  for (const auto* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* rpc = service->method(i);
      if (!rpc->options().HasExtension(api::http)) continue;  // Internal RPC: no route.
      CHATTER_ASSIGN_OR_RETURN(RouteSpec route,
                               RouteFor(rpc, rpc->options().GetExtension(api::http)));
      auto [existing, added] = rpc_by_shape.emplace(Shape(route), rpc->full_name());
      if (!added) {
        return absl::InvalidArgumentError(absl::StrCat(route.method, " ", route.path_template,
                                                       " is routed twice: ", existing->second,
                                                       " and ", rpc->full_name()));
      }
      table.routes_.push_back(std::move(route));
    }
  }
  return table;
}

const RouteSpec* RouteTable::Find(absl::string_view method, absl::string_view path_template) const {
  for (const RouteSpec& route : routes_) {
    if (route.method == method && route.path_template == path_template) return &route;
  }
  return nullptr;
}

std::vector<const google::protobuf::FileDescriptor*> PublicApiFiles() {
  return {auth::v1::SignUpRequest::descriptor()->file(),
          chat::v1::CreateRoomRequest::descriptor()->file(),
          realtime::v1::PublishRequest::descriptor()->file()};
}

}  // namespace chatter::gateway
