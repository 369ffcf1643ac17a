// WsEndpoint: admission of upgrade requests and the registry of open sessions.
#include "gateway/ws/ws_endpoint.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/http/dispatcher.h"
#include "gateway/transcoding/access_token.h"
#include "gateway/transcoding/request_binding.h"
#include "gateway/ws/frame_codec.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/http_error.h"
#include "libs/status/status_macros.h"

namespace chatter::gateway {
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A refused upgrade is answered within this, or the connection is cut.
constexpr std::chrono::seconds kRefusalWriteTimeout(10);

absl::string_view PathOf(const HttpRequest& request) {
  absl::string_view target = ToAbsl(request.target());
  return target.substr(0, target.find('?'));
}

// A page served by the gateway's own host ("https://chat.example" for Host chat.example): the
// scheme is not compared, because TLS usually ends in front of the gateway.
bool IsSameOrigin(absl::string_view origin, absl::string_view host) {
  size_t scheme_end = origin.find("://");
  if (scheme_end == absl::string_view::npos || host.empty()) return false;
  return absl::EqualsIgnoreCase(origin.substr(scheme_end + 3), host);
}

absl::string_view QueryOf(const HttpRequest& request) {
  absl::string_view target = ToAbsl(request.target());
  size_t question = target.find('?');
  return question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);
}

}  // namespace

absl::StatusOr<WsAdmission> AdmitUpgrade(const HttpRequest& request,
                                         const authn::Authenticator& authenticator, int max_rooms) {
  CHATTER_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryString(QueryOf(request)));
  std::string query_token;
  WsAdmission admission;
  absl::flat_hash_set<std::string> seen_rooms;
  int room_params = 0;
  for (QueryParam& param : params) {
    if (param.name == "access_token" || param.name == "token") {
      if (param.value.empty()) continue;
      if (!query_token.empty() && param.value != query_token) {
        return status::InvalidFieldError(param.name, "differs from the other token parameter");
      }
      query_token = std::move(param.value);
    } else if (param.name == "room_id") {
      if (++room_params > max_rooms) {
        return status::InvalidFieldError("room_id",
                                         absl::StrCat("at most ", max_rooms, " rooms per connect"));
      }
      std::string room = CanonicalRoomId(std::move(param.value));
      if (seen_rooms.insert(room).second) admission.rooms.push_back(std::move(room));
    }
  }
  CHATTER_ASSIGN_OR_RETURN(std::string header_token, AccessTokenFromHeaders(request));
  if (!header_token.empty() && !query_token.empty() && header_token != query_token) {
    return status::InvalidFieldError("access_token", "differs from the token in the headers");
  }
  admission.access_token = header_token.empty() ? query_token : header_token;
  if (admission.access_token.empty()) {
    return absl::UnauthenticatedError(
        "an access token is required (access_token query parameter, Authorization: Bearer or "
        "X-Auth-Token)");
  }
  CHATTER_ASSIGN_OR_RETURN(admission.principal,
                           authenticator.AuthenticateToken(admission.access_token));
  if (admission.principal.kind != authn::Principal::Kind::kUser) {
    return absl::PermissionDeniedError("user token required");
  }
  return admission;
}

WsEndpoint::WsEndpoint(const WsOptions& options, const authn::Authenticator& authenticator,
                       const CorsPolicy& cors, RequestIdSource& request_ids,
                       ids::UuidGenerator& uuids, ChatBackend& chat, RealtimeLink& realtime,
                       RoomIndex& index, RoomSequencer& sequencer, WsMetrics& metrics,
                       WsEdgeGuards guards)
    : options_(options),
      authenticator_(authenticator),
      cors_(cors),
      request_ids_(request_ids),
      uuids_(uuids),
      deps_{.options = options,
            .authenticator = authenticator,
            .chat = chat,
            .realtime = realtime,
            .index = index,
            .sequencer = sequencer,
            .metrics = metrics},
      guards_(guards) {}

bool WsEndpoint::Wants(const HttpRequest& request) const {
  return PathOf(request) == kWebSocketPath && beast::websocket::is_upgrade(request);
}

void WsEndpoint::Upgrade(beast::tcp_stream stream, HttpRequest request, std::string peer_ip) {
  std::string request_id = request_ids_.ForIncoming(ToAbsl(request[kRequestIdHeader]));
  std::string client_ip = guards_.client_addresses == nullptr
                              ? std::move(peer_ip)
                              : guards_.client_addresses->Resolve(peer_ip, ForwardedForOf(request));
  if (draining_.load()) {
    return Refuse(std::move(stream), absl::UnavailableError("the server is shutting down"),
                  request_id, client_ip);
  }
  // Browsers always send Origin on a WebSocket upgrade and never preflight it, so the CORS
  // policy (or same origin) is enforced here; other clients send none and are not browsers to
  // protect. Checked before the token, so a foreign page learns nothing about it.
  absl::string_view origin = ToAbsl(request[http::field::origin]);
  if (!origin.empty() && !cors_.AllowedOrigin(origin) &&
      !IsSameOrigin(origin, ToAbsl(request[http::field::host]))) {
    return Refuse(std::move(stream),
                  absl::PermissionDeniedError(
                      absl::StrCat("origin ", origin, " may not open a WebSocket here")),
                  request_id, client_ip);
  }
  if (guards_.rate_limiter == nullptr) {
    return Authenticate(std::move(stream), std::move(request), std::move(request_id),
                        std::move(client_ip));
  }
  // The IP's bucket is taken before the token is checked, so refused upgrades (bad tokens)
  // count too. The limiter may answer on another thread; the connection waits for it, then
  // continues on its own strand.
  struct Held {
    beast::tcp_stream stream;
    HttpRequest request;
    std::string request_id;
    std::string client_ip;
  };
  RateLimitCaller caller{.client_ip = client_ip, .user_id = ""};
  auto held = std::make_shared<Held>(Held{.stream = std::move(stream),
                                          .request = std::move(request),
                                          .request_id = std::move(request_id),
                                          .client_ip = std::move(client_ip)});
  guards_.rate_limiter->Admit(kWebSocketPath, caller, [this, held](absl::Status admitted) {
    auto executor = held->stream.get_executor();
    boost::asio::post(executor, [this, held, admitted = std::move(admitted)] {
      if (!admitted.ok()) {
        return Refuse(std::move(held->stream), admitted, held->request_id, held->client_ip);
      }
      Authenticate(std::move(held->stream), std::move(held->request), std::move(held->request_id),
                   std::move(held->client_ip));
    });
  });
}

void WsEndpoint::Authenticate(beast::tcp_stream stream, HttpRequest request, std::string request_id,
                              std::string client_ip) {
  absl::StatusOr<WsAdmission> admission =
      AdmitUpgrade(request, authenticator_, options_.max_connect_rooms);
  if (!admission.ok()) {
    return Refuse(std::move(stream), admission.status(), request_id, client_ip);
  }
  Open(std::move(stream), std::move(request), *std::move(admission), std::move(request_id),
       std::move(client_ip));
}

void WsEndpoint::Open(beast::tcp_stream stream, HttpRequest request, WsAdmission admission,
                      std::string request_id, std::string client_ip) {
  if (draining_.load()) {  // Shutdown began while the rate limiter decided.
    return Refuse(std::move(stream), absl::UnavailableError("the server is shutting down"),
                  request_id, client_ip);
  }
  WsIdentity identity{.session_id = uuids_.NewV7(),
                      .user_id = admission.principal.subject,
                      .login_id = admission.principal.session_id,
                      .username = admission.principal.username,
                      .access_token = std::move(admission.access_token),
                      .token_deadline = TokenDeadline(admission.principal.accepted_for),
                      .request_id = std::move(request_id),
                      .client_ip = std::move(client_ip),
                      .user_agent = std::string(ToAbsl(request[http::field::user_agent]))};
  ++open_;
  auto session = std::make_shared<WsSession>(std::move(stream), std::move(identity),
                                             std::move(admission.rooms), deps_,
                                             [this](WsSession& closed) { Forget(closed); });
  {
    std::lock_guard lock(mu_);
    sessions_[session.get()] = session;
  }
  session->Start(std::move(request));
}

void WsEndpoint::Refuse(beast::tcp_stream stream, const absl::Status& status,
                        const std::string& request_id, const std::string& client_ip) {
  struct Refusal {
    beast::tcp_stream stream;
    HttpResponse response;
  };
  auto refusal = std::make_shared<Refusal>(
      Refusal{.stream = std::move(stream), .response = ErrorResponse(status, request_id)});
  refusal->response.set(kRequestIdHeader, request_id);
  refusal->response.keep_alive(false);
  refusal->stream.expires_after(kRefusalWriteTimeout);
  http::async_write(refusal->stream, refusal->response, [refusal](beast::error_code, size_t) {
    beast::error_code ignored;
    refusal->stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    refusal->stream.socket().close(ignored);
  });
  std::string code(status::CodeName(status.code()));
  deps_.metrics.Refused(code);
  log::Write(log::Level::kInfo, request_id, "websocket refused",
             {{"status", refusal->response.result_int()},
              {"code", code},
              {"error", std::string(status.message())},
              {"client_ip", client_ip}});
}

void WsEndpoint::Forget(WsSession& session) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(&session) > 0) --open_;
}

void WsEndpoint::CloseAll(uint16_t code, const std::string& reason) {
  draining_.store(true);
  std::vector<std::shared_ptr<WsSession>> open;
  {
    std::lock_guard lock(mu_);
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  // Replies still owed (a send being saved) go out before the close frame.
  for (const auto& session : open) session->CloseAfterReplying(code, reason, "shutdown");
}

void WsEndpoint::CloseEndedLogins(const std::vector<authn::Revocation>& revocations) {
  auto logins = std::make_shared<absl::flat_hash_set<std::string>>();
  absl::flat_hash_set<std::string> users;
  for (const authn::Revocation& revocation : revocations) {
    logins->insert(revocation.session_id);
    users.insert(revocation.user_id);
  }
  std::vector<std::shared_ptr<WsSession>> affected;
  {
    std::lock_guard lock(mu_);
    for (const auto& [raw, weak] : sessions_) {
      // user_id never changes for a session; the login may (`authenticate`), so the session
      // itself checks that on its strand.
      std::shared_ptr<WsSession> session = weak.lock();
      if (session && users.contains(session->user_id())) affected.push_back(std::move(session));
    }
  }
  std::shared_ptr<const absl::flat_hash_set<std::string>> ended = std::move(logins);
  for (const auto& session : affected) session->CloseIfLoginEnded(ended);
}

void AddWebSocketFallbackRoute(Router& router) {
  router.Add("GET", kWebSocketPath,
             [](const HttpRequest&, const RequestContext& context, Responder respond) {
               HttpResponse response = ErrorResponse(
                   absl::FailedPreconditionError(
                       "GET /ws is a WebSocket endpoint: send Connection: Upgrade and Upgrade: "
                       "websocket"),
                   context.request_id);
               response.result(http::status::upgrade_required);
               response.set(http::field::upgrade, "websocket");
               respond(std::move(response));
             });
}

}  // namespace chatter::gateway
