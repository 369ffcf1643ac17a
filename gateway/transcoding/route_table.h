// The REST routes of the public API, read from the (chatter.api.http) option of each RPC and
// validated once at start: the immutable config every per-request transcoding step reads.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

// One RPC reachable over HTTP.
struct RouteSpec {
  std::string method;         // "GET", "POST", "PUT", "PATCH" or "DELETE".
  std::string path_template;  // "/v1/rooms/{room_id}/messages".
  const google::protobuf::MethodDescriptor* rpc = nullptr;
  std::string body;  // "*": the JSON body is the request; "": no body, query parameters.
  int success_status = 200;
  bool authenticated = false;
  std::string response_body;     // A response field that is the whole HTTP body; "" for all.
  int repeat_status = 0;         // Status when the response's bool `created` is false; 0 if none.
  std::string grpc_method_path;  // "/chatter.auth.v1.AuthService/SignUp".
  std::string backend;           // The service's full name, "chatter.auth.v1.AuthService".
  std::vector<std::string> path_params;  // The {names} of path_template, in order.
};

class RouteTable {
 public:
  // Every method carrying the option in `files` (each file's services, in declaration order).
  // Fails, naming the RPC, on any route the gateway could not serve faithfully.
  static absl::StatusOr<RouteTable> FromFiles(
      const std::vector<const google::protobuf::FileDescriptor*>& files);
  static absl::StatusOr<RouteTable> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  const std::vector<RouteSpec>& routes() const { return routes_; }
  // The route of `method` + exact `path_template`, or nullptr.
  const RouteSpec* Find(absl::string_view method, absl::string_view path_template) const;

 private:
  std::vector<RouteSpec> routes_;
};

// The proto files whose services are public behind the gateway (auth and chat). Referencing a
// generated message of each keeps its descriptor linked in from the static proto library.
std::vector<const google::protobuf::FileDescriptor*> PublicApiFiles();

}  // namespace chatter::gateway
