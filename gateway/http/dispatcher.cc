// The per-request edge pipeline.
#include "gateway/http/dispatcher.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/status/http_error.h"

namespace chatter::gateway {
namespace http = boost::beast::http;

namespace {

// The method as a metric label and log field: the client chooses it, so anything outside the
// methods HTTP defines becomes "other" (each new label value would be a new series, for good).
std::string MethodLabel(absl::string_view method) {
  static constexpr absl::string_view kKnown[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                                 "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  for (absl::string_view known : kKnown) {
    if (method == known) return std::string(known);
  }
  return "other";
}

}  // namespace

HttpResponse ErrorResponse(const absl::Status& status, absl::string_view request_id) {
  HttpResponse response = JsonResponse(status::HttpStatusFor(status.code()),
                                       status::ErrorEnvelopeJson(status, request_id));
  if (auto retry_after = status::RetryAfterSeconds(status)) {
    response.set(http::field::retry_after, std::to_string(*retry_after));
  }
  return response;
}

Dispatcher::Dispatcher(const Router& router, const CorsPolicy& cors, RequestIdSource& request_ids,
                       metrics::Registry& registry, DispatcherGuards guards)
    : router_(router),
      cors_(cors),
      request_ids_(request_ids),
      registry_(registry),
      guards_(std::move(guards)) {}

void Dispatcher::Dispatch(HttpRequest request, std::string client_ip, Responder done) {
  absl::Time start = absl::Now();
  auto context = std::make_shared<RequestContext>();
  context->request_id = request_ids_.ForIncoming(ToAbsl(request[kRequestIdHeader]));
  context->client_ip = guards_.client_addresses == nullptr
                           ? std::move(client_ip)
                           : guards_.client_addresses->Resolve(client_ip, ForwardedForOf(request));
  std::string method(request.method_string());
  std::string origin(ToAbsl(request[http::field::origin]));
  absl::string_view target = ToAbsl(request.target());
  std::string path(target.substr(0, target.find('?')));
  // HEAD is GET without a body (RFC 9110): same route, same headers, body dropped on the way out.
  bool head = request.method() == http::verb::head;
  std::string route_method = head ? "GET" : method;

  auto finish = [this, context, method, origin, start, head,
                 done = std::move(done)](HttpResponse response) mutable {
    Finish(*context, method, origin, start, response);
    if (head) DropBodyKeepLength(response);
    done(std::move(response));
  };

  if (request.method() == http::verb::options &&
      !request[http::field::access_control_request_method].empty()) {
    context->route = "preflight";
    return finish(cors_.Preflight(origin));
  }
  std::optional<RouteMatch> match = router_.Match(route_method, path);
  const HttpHandler* handler = match ? match->handler : nullptr;
  std::vector<std::string> allowed;
  if (match) {
    context->route = match->route_template;
    context->path_params = std::move(match->path_params);
  } else {
    allowed = router_.AllowedMethods(path);
    if (allowed.empty() && guards_.fallback != nullptr && guards_.fallback->wants(path)) {
      if (route_method == "GET") {
        context->route = guards_.fallback->route;
        handler = &guards_.fallback->handler;
      } else {
        allowed = {"GET", "HEAD"};  // Static files are read-only.
      }
    }
  }
  if (handler == nullptr) {
    context->route = "unmatched";
    if (allowed.empty()) {
      return finish(
          ErrorResponse(absl::NotFoundError(absl::StrCat("no route for ", method, " ", path)),
                        context->request_id));
    }
    HttpResponse response = ErrorResponse(
        absl::UnimplementedError(absl::StrCat("method ", method, " is not allowed on ", path)),
        context->request_id);
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, absl::StrJoin(allowed, ", "));
    return finish(std::move(response));
  }
  if (guards_.identify_user) context->user_id = guards_.identify_user(request);
  if (guards_.rate_limiter == nullptr) return (*handler)(request, *context, std::move(finish));
  // The limiter may answer later, on another thread: the request moves into the continuation.
  auto pending = std::make_shared<HttpRequest>(std::move(request));
  guards_.rate_limiter->Admit(
      context->route, {.client_ip = context->client_ip, .user_id = context->user_id},
      [handler, pending, context, finish = std::move(finish)](absl::Status admitted) mutable {
        if (!admitted.ok()) return finish(ErrorResponse(admitted, context->request_id));
        (*handler)(*pending, *context, std::move(finish));
      });
}

HttpResponse Dispatcher::TransportError(int http_status, const absl::Status& status,
                                        const HttpRequest* partial, const std::string& client_ip) {
  RequestContext context;
  context.route = "transport_error";
  context.client_ip = client_ip;
  // For a body that is too large the headers were read: keep the client's id and origin.
  std::string origin;
  if (partial != nullptr) {
    context.request_id = request_ids_.ForIncoming(ToAbsl((*partial)[kRequestIdHeader]));
    origin = std::string(ToAbsl((*partial)[http::field::origin]));
  } else {
    context.request_id = request_ids_.ForIncoming("");
  }
  HttpResponse response = ErrorResponse(status, context.request_id);
  response.result(static_cast<http::status>(http_status));
  response.keep_alive(false);
  std::string method = partial != nullptr ? std::string(partial->method_string()) : "unknown";
  Finish(context, method, origin, absl::Now(), response);
  return response;
}

void Dispatcher::DropBodyKeepLength(HttpResponse& response) {
  // A 304 has no body and no length of its own to keep.
  if (response.result() == http::status::not_modified) return;
  response.content_length(response.body().size());
  response.body().clear();
}

void Dispatcher::Finish(const RequestContext& context, absl::string_view method,
                        absl::string_view origin, absl::Time start, HttpResponse& response) {
  response.set(kRequestIdHeader, context.request_id);
  // A preflight answer carries exactly the headers API.md lists; others get the origin's.
  if (context.route != "preflight") cors_.Decorate(origin, response);
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::string status = std::to_string(response.result_int());
  std::string method_label = MethodLabel(method);
  // Every label from a closed set: method (above), route (a route template, "unmatched",
  // "preflight" or "transport_error") and status (ours).
  registry_
      .GetCounter("http_requests_total", "HTTP requests, by method, route and status.",
                  {{"method", method_label}, {"route", context.route}, {"status", status}})
      .Inc();
  registry_
      .GetHistogram("http_request_duration_seconds", "HTTP request latency, by route.",
                    {{"route", context.route}}, metrics::DefaultLatencyBuckets())
      .Observe(seconds);
  log::Fields fields = {{"method", method_label},          {"route", context.route},
                        {"status", response.result_int()}, {"duration_ms", seconds * 1000},
                        {"bytes", response.body().size()}, {"client_ip", context.client_ip}};
  if (!context.user_id.empty()) fields["user_id"] = context.user_id;
  log::Write(log::Level::kInfo, context.request_id, "http request", fields);
}

}  // namespace chatter::gateway
