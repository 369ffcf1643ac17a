// chatter.realtime.v1.RealtimeService over gRPC: who may call what (service tokens of listed
// clients only), Publish, PublishStream, PublishUserEvent and GetPresence on the synchronous
// thread pool (they block on Redis and chat-svc; a publish stream holds one thread for its life,
// one per chat-svc),
// Connect as a callback reactor per gateway, and the one place where this service's absl::Status
// becomes grpc::Status.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "libs/authn/authenticator.h"
#include "services/realtime/api/gateway_stream.h"
#include "services/realtime/domain/event_bus.h"
#include "services/realtime/domain/presence_service.h"

namespace chatter::realtime {

// Least privilege: service client ids (the `sub` of their service tokens) allowed per role.
struct AccessPolicy {
  // Publish, PublishStream, PublishUserEvent (CHATTER_REALTIME_PUBLISHERS).
  std::vector<std::string> publishers;
  std::vector<std::string> gateways;  // Connect, GetPresence (CHATTER_REALTIME_GATEWAYS).
  // GetPresence besides the gateways (CHATTER_REALTIME_PRESENCE_READERS).
  std::vector<std::string> presence_readers;
};

class RealtimeGrpcService final
    : public v1::RealtimeService::WithCallbackMethod_Connect<v1::RealtimeService::Service> {
 public:
  // All references must outlive the service.
  RealtimeGrpcService(const authn::Authenticator& authenticator, AccessPolicy access,
                      GatewayStream::Options streams, LinkDependencies links, EventBus& bus,
                      PresenceService& presence);

  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                       v1::PublishResponse* response) override;
  grpc::Status PublishStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::PublishAck, v1::PublishBatch>* stream) override;
  grpc::Status PublishUserEvent(grpc::ServerContext* context,
                                const v1::PublishUserEventRequest* request,
                                v1::PublishUserEventResponse* response) override;
  grpc::Status GetPresence(grpc::ServerContext* context, const v1::GetPresenceRequest* request,
                           v1::GetPresenceResponse* response) override;
  grpc::ServerBidiReactor<v1::GatewayFrame, v1::RealtimeFrame>* Connect(
      grpc::CallbackServerContext* context) override;

  // Shutdown: ends every Connect and PublishStream stream now, so gateways and publishers fail
  // over at once instead of waiting out the drain, and refuses new ones. Idempotent.
  void StopStreams();
  // Connect streams gRPC has not finished with yet.
  size_t open_streams() const;

 private:
  // The caller's service token, and its client id among `allowed`; PERMISSION_DENIED otherwise.
  absl::Status Authorize(const grpc::ServerContextBase& context,
                         const absl::flat_hash_set<std::string>& allowed,
                         absl::string_view action) const;
  // A room event as the bus carries it: validated, with an event id and time when it had none.
  // `event` is moved into the frame when valid, and left in place otherwise.
  absl::StatusOr<v1::RealtimeFrame> ToBusFrame(v1::RoomEvent& event) const;
  // A user event as the bus carries it: validated, with an event id (also the notification's
  // id) and the request id of `context` when it had none.
  absl::StatusOr<v1::RealtimeFrame> ToBusFrame(v1::UserEvent event,
                                               const grpc::ServerContext& context) const;
  // Publishes the valid events of `batch` (consuming them) and lists the invalid ones in `ack`.
  absl::Status PublishBatch(v1::PublishBatch& batch, v1::PublishAck& ack);

  const authn::Authenticator& authenticator_;
  absl::flat_hash_set<std::string> publishers_;
  absl::flat_hash_set<std::string> gateways_;
  absl::flat_hash_set<std::string> presence_readers_;  // The gateways and the presence readers.
  GatewayStream::Options stream_options_;
  LinkDependencies links_;
  EventBus& bus_;
  PresenceService& presence_;

  mutable std::mutex mu_;
  bool stopping_ = false;  // Guarded by mu_, as is streams_.
  absl::flat_hash_map<GatewayStream*, std::weak_ptr<GatewayStream>> streams_;
  absl::flat_hash_set<grpc::ServerContext*> publish_streams_;  // Cancelled by StopStreams.
};

}  // namespace chatter::realtime
