// The edge pipeline for one HTTP request, independent of the transport: request id, CORS,
// routing (404/405 in the error envelope; an optional fallback for GET and HEAD), then on the way
// out X-Request-Id, CORS headers, metrics and one access-log line.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "gateway/edge/client_address.h"
#include "gateway/edge/cors.h"
#include "gateway/edge/rate_limiter.h"
#include "gateway/edge/request_id.h"
#include "gateway/http/http_types.h"
#include "gateway/http/router.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

// Answers GET and HEAD requests that no route matches, for the paths it wants (the static
// files). Tried only after the router, so every route wins over it.
struct FallbackRoute {
  std::string route;  // Its label in metrics, logs and rate limits (a closed set: one value).
  std::function<bool(absl::string_view path)> wants;
  HttpHandler handler;
};

// The optional edge stages; each one left empty is skipped (unit tests of other stages).
struct DispatcherGuards {
  // Trusted proxies; null: the TCP peer is the client.
  const ClientAddressResolver* client_addresses = nullptr;
  // The user id for logs and per-user limits; empty: no user ids.
  std::function<std::string(const HttpRequest&)> identify_user;
  // Null: no rate limits.
  RateLimiter* rate_limiter = nullptr;
  // Null: a path no route matches is 404.
  const FallbackRoute* fallback = nullptr;
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, const CorsPolicy& cors, RequestIdSource& request_ids,
             metrics::Registry& registry, DispatcherGuards guards = {});

  // Handles `request`; `done` receives the finished response exactly once, on any thread.
  void Dispatch(HttpRequest request, std::string client_ip, Responder done);

  // For transport-level failures (413, malformed HTTP): a finished error response whose HTTP
  // status may differ from the table's (413 and 431 have no gRPC code of their own). `partial`
  // is the request's header when it was read (it supplies the request id and origin); counted
  // and logged like any request.
  HttpResponse TransportError(int http_status, const absl::Status& status,
                              const HttpRequest* partial = nullptr,
                              const std::string& client_ip = "");

 private:
  static void DropBodyKeepLength(HttpResponse& response);
  void Finish(const RequestContext& context, absl::string_view method, absl::string_view origin,
              absl::Time start, HttpResponse& response);

  const Router& router_;
  const CorsPolicy& cors_;
  RequestIdSource& request_ids_;
  metrics::Registry& registry_;
  DispatcherGuards guards_;
};

// The error envelope of API.md for `status` (HTTP status from the shared table).
HttpResponse ErrorResponse(const absl::Status& status, absl::string_view request_id);

}  // namespace chatter::gateway
