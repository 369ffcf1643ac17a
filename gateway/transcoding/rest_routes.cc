// The per-route HTTP handler of the REST -> gRPC bridge.
#include "gateway/transcoding/rest_routes.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/http/dispatcher.h"
#include "gateway/transcoding/access_token.h"
#include "gateway/transcoding/json_codec.h"
#include "gateway/transcoding/request_binding.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"

namespace chatter::gateway {
namespace {

namespace http = boost::beast::http;
using google::protobuf::Message;

// What a handler needs once the HTTP request is gone: the bound request and its metadata.
struct PreparedCall {
  std::unique_ptr<Message> request;
  ForwardMetadata metadata;
};

absl::Status CheckContentType(const RouteSpec& route, const HttpRequest& request) {
  if (route.body != "*" || absl::StripAsciiWhitespace(request.body()).empty()) {
    return absl::OkStatus();
  }
  absl::string_view type = ToAbsl(request[http::field::content_type]);
  size_t semicolon = type.find(';');
  absl::string_view media = absl::StripAsciiWhitespace(type.substr(0, semicolon));
  if (!absl::EqualsIgnoreCase(media, "application/json")) {
    return status::InvalidFieldError("Content-Type", "must be application/json");
  }
  if (semicolon == absl::string_view::npos) return absl::OkStatus();
  std::string parameters = absl::AsciiStrToLower(type.substr(semicolon + 1));
  size_t charset = parameters.find("charset=");
  if (charset != std::string::npos) {
    absl::string_view value = absl::string_view(parameters).substr(charset + 8);
    value = value.substr(0, value.find(';'));
    value = absl::StripAsciiWhitespace(value);
    if (value != "utf-8" && value != "\"utf-8\"") {
      return status::InvalidFieldError("Content-Type", "charset must be utf-8");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedCall> Prepare(const RouteSpec& route, const HttpRequest& request,
                                     const RequestContext& context) {
  CHATTER_ASSIGN_OR_RETURN(std::string token, AccessTokenFromHeaders(request));
  if (route.authenticated && token.empty()) {
    // Refused here so anonymous traffic never reaches a backend.
    return absl::UnauthenticatedError(
        "an access token is required (Authorization: Bearer or X-Auth-Token)");
  }
  CHATTER_RETURN_IF_ERROR(CheckContentType(route, request));
  absl::string_view target = ToAbsl(request.target());
  size_t question = target.find('?');
  absl::string_view path = target.substr(0, question);
  absl::string_view query =
      question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);
  CHATTER_ASSIGN_OR_RETURN(auto path_params, ExtractPathParams(route.path_template, path));
  PreparedCall call;
  call.request.reset(google::protobuf::MessageFactory::generated_factory()
                         ->GetPrototype(route.rpc->input_type())
                         ->New());
  CHATTER_RETURN_IF_ERROR(BindRequest(route, path_params, query, request.body(), *call.request));
  call.metadata.access_token = std::move(token);
  call.metadata.request_id = context.request_id;
  call.metadata.client_ip = context.client_ip;
  call.metadata.user_agent = std::string(ToAbsl(request[http::field::user_agent]));
  return call;
}

int SuccessStatus(const RouteSpec& route, const Message& response) {
  if (route.repeat_status == 0) return route.success_status;
  const auto* created = response.GetDescriptor()->FindFieldByName("created");
  bool repeat = created != nullptr && !response.GetReflection()->GetBool(response, created);
  return repeat ? route.repeat_status : route.success_status;
}

HttpResponse SuccessResponse(const RouteSpec& route, const Message& response) {
  int status = SuccessStatus(route, response);
  if (status == 204) {
    HttpResponse empty{http::status::no_content, 11};
    empty.prepare_payload();
    return empty;
  }
  const auto* field = route.response_body.empty()
                          ? nullptr
                          : response.GetDescriptor()->FindFieldByName(route.response_body);
  return JsonResponse(status,
                      DumpJson(field ? EncodeFieldJson(response, field) : EncodeJson(response)));
}

// The envelope hides these codes' messages from clients, so the operator needs them in the log.
bool HidesMessage(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded;
}

HttpResponse Answer(const RouteSpec& route, const std::string& request_id,
                    absl::StatusOr<std::unique_ptr<Message>> response) {
  if (response.ok()) return SuccessResponse(route, **response);
  const absl::Status& status = response.status();
  if (HidesMessage(status.code())) {
    log::Write(log::Level::kWarn, request_id, "backend call failed",
               {{"rpc", route.grpc_method_path},
                {"code", static_cast<int>(status.code())},
                {"error", std::string(status.message())}});
  }
  return ErrorResponse(status, request_id);
}

}  // namespace

absl::Status AddRestRoutes(Router& router, const RouteTable& table,
                           const GrpcForwarder& forwarder) {
  for (const RouteSpec& route : table.routes()) {
    if (!forwarder.HasBackend(route.backend)) {
      return absl::FailedPreconditionError(absl::StrCat("no backend channel for ", route.backend,
                                                        " (", route.method, " ",
                                                        route.path_template, ")"));
    }
  }
  for (const RouteSpec& spec : table.routes()) {
    auto route = std::make_shared<const RouteSpec>(spec);
    router.Add(route->method, route->path_template,
               [route, &forwarder](const HttpRequest& request, const RequestContext& context,
                                   Responder respond) {
                 absl::StatusOr<PreparedCall> call = Prepare(*route, request, context);
                 if (!call.ok()) return respond(ErrorResponse(call.status(), context.request_id));
                 forwarder.Forward(*route, *call->request, call->metadata,
                                   [route, request_id = context.request_id,
                                    respond = std::move(respond)](auto response) {
                                     respond(Answer(*route, request_id, std::move(response)));
                                   });
               });
  }
  return absl::OkStatus();
}

}  // namespace chatter::gateway
