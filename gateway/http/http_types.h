// The request/response types every gateway handler speaks, and the asynchronous handler seam.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What the edge learned about a request before routing it.
struct RequestContext {
  std::string request_id;
  std::string client_ip;  // The client's address (behind trusted proxies: X-Forwarded-For's).
  std::string user_id;    // The user of a valid user token, "" when none (logs, rate limits).
  std::string route;      // Route template for metrics/logs, e.g. "/v1/rooms/{room_id}".
  std::map<std::string, std::string> path_params;  // {room_id} -> value, from the router.
};

// Delivers the response; callable once, from any thread (the session hops back to its strand).
using Responder = std::function<void(HttpResponse)>;

// A route's logic. It must not block: anything slow (gRPC) completes later via `respond`.
using HttpHandler = std::function<void(const HttpRequest&, const RequestContext&, Responder)>;

inline constexpr char kRequestIdHeader[] = "X-Request-Id";

// Beast and Abseil each have their own string_view (Boost 1.74, Debian's Abseil).
inline absl::string_view ToAbsl(boost::beast::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// A JSON response with the given status and body.
HttpResponse JsonResponse(int status, std::string body);
// A plain-text response.
HttpResponse TextResponse(int status, std::string body);

}  // namespace chatter::gateway
