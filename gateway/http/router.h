// Maps (method, path) to a handler. Path templates use {name} segments; matching is
// segment-wise, exact segments win over parameters. Built once at start, then read-only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gateway/http/http_types.h"

namespace chatter::gateway {

struct RouteMatch {
  const HttpHandler* handler = nullptr;
  std::string route_template;
  std::map<std::string, std::string> path_params;
};

class Router {
 public:
  // Adds a route; method is upper-case ("GET"), path a template ("/v1/rooms/{room_id}").
  void Add(std::string method, std::string path_template, HttpHandler handler);

  // The handler for method+path (path without query string), or nullopt.
  std::optional<RouteMatch> Match(absl::string_view method, absl::string_view path) const;
  // Methods routed for `path`, sorted (empty: 404; otherwise 405 with Allow).
  std::vector<std::string> AllowedMethods(absl::string_view path) const;
  // Every "METHOD /template", for documentation checks.
  std::vector<std::string> Describe() const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  static bool MatchSegments(const Route& route, const std::vector<absl::string_view>& segments,
                            std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace chatter::gateway
