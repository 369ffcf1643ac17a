// GET /ws: checks the upgrade request's Origin against the CORS policy (browsers do not
// preflight WebSockets, so this is what stops a cross-site page from opening a socket with a
// visitor's token), authenticates it (token from the query or the identity headers, verified
// locally, user tokens only) before accepting it, answers refusals as plain HTTP in the error
// envelope, and starts a WsSession otherwise. Also closes every session on shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "gateway/edge/client_address.h"
#include "gateway/edge/cors.h"
#include "gateway/edge/rate_limiter.h"
#include "gateway/edge/request_id.h"
#include "gateway/http/router.h"
#include "gateway/http/upgrade_handler.h"
#include "gateway/ws/ws_session.h"
#include "libs/authn/authenticator.h"
#include "libs/authn/revocation_feed.h"
#include "libs/ids/uuid_generator.h"

namespace chatter::gateway {

inline constexpr char kWebSocketPath[] = "/ws";

// What an upgrade request asks for, once its token checked out.
struct WsAdmission {
  authn::Principal principal;
  std::string access_token;
  std::vector<std::string> rooms;  // `room_id` parameters, duplicates dropped, in order.
};

// The token and rooms of an upgrade request. Errors: INVALID_ARGUMENT (bad query, token given
// twice with different values, more than `max_rooms` rooms); UNAUTHENTICATED (no token, or
// the verifier refuses it); PERMISSION_DENIED (a service token).
absl::StatusOr<WsAdmission> AdmitUpgrade(const HttpRequest& request,
                                         const authn::Authenticator& authenticator, int max_rooms);

// The edge stages an upgrade shares with REST requests; null ones are skipped.
struct WsEdgeGuards {
  const ClientAddressResolver* client_addresses = nullptr;
  RateLimiter* rate_limiter = nullptr;  // An upgrade counts as one request of its IP.
};

class WsEndpoint final : public UpgradeHandler {
 public:
  // Everything must outlive the endpoint and its sessions.
  WsEndpoint(const WsOptions& options, const authn::Authenticator& authenticator,
             const CorsPolicy& cors, RequestIdSource& request_ids, ids::UuidGenerator& uuids,
             ChatBackend& chat, RealtimeLink& realtime, RoomIndex& index, RoomSequencer& sequencer,
             WsMetrics& metrics, WsEdgeGuards guards = {});

  bool Wants(const HttpRequest& request) const override;
  void Upgrade(boost::beast::tcp_stream stream, HttpRequest request,
               std::string client_ip) override;
  int open_connections() const override { return open_.load(); }

  // Closes every session with `code` (1012 "server restarting" on shutdown) once the replies it
  // owes are written (within close_grace); upgrades that still arrive (on kept-alive
  // connections) are refused with 503 from then on.
  void CloseAll(uint16_t code, const std::string& reason);
  // Closes (4401) the sessions whose login is among `revocations`: logout, password change,
  // account deletion. From any thread.
  void CloseEndedLogins(const std::vector<authn::Revocation>& revocations);

 private:
  void Refuse(boost::beast::tcp_stream stream, const absl::Status& status,
              const std::string& request_id, const std::string& client_ip);
  void Authenticate(boost::beast::tcp_stream stream, HttpRequest request, std::string request_id,
                    std::string client_ip);
  void Open(boost::beast::tcp_stream stream, HttpRequest request, WsAdmission admission,
            std::string request_id, std::string client_ip);
  void Forget(WsSession& session);

  const WsOptions& options_;
  const authn::Authenticator& authenticator_;
  const CorsPolicy& cors_;
  RequestIdSource& request_ids_;
  ids::UuidGenerator& uuids_;
  WsSessionDeps deps_;
  WsEdgeGuards guards_;
  std::atomic<int> open_{0};
  std::atomic<bool> draining_{false};
  std::mutex mu_;
  absl::flat_hash_map<WsSession*, std::weak_ptr<WsSession>> sessions_;  // Guarded by mu_.
};

// GET /ws without an upgrade reaches the router: 426 naming what is missing.
void AddWebSocketFallbackRoute(Router& router);

}  // namespace chatter::gateway
