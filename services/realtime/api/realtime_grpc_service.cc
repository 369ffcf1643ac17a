// chatter.realtime.v1.RealtimeService over gRPC.
#include "services/realtime/api/realtime_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc_server/request_scope.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/realtime/domain/frames.h"
#include "services/realtime/domain/validation.h"

namespace chatter::realtime {

RealtimeGrpcService::RealtimeGrpcService(const authn::Authenticator& authenticator,
                                         AccessPolicy access, GatewayStream::Options streams,
                                         LinkDependencies links, EventBus& bus,
                                         PresenceService& presence)
    : authenticator_(authenticator),
      publishers_(access.publishers.begin(), access.publishers.end()),
      gateways_(access.gateways.begin(), access.gateways.end()),
      stream_options_(std::move(streams)),
      links_(links),
      bus_(bus),
      presence_(presence) {}

absl::Status RealtimeGrpcService::Authorize(const grpc::ServerContextBase& context,
                                            const absl::flat_hash_set<std::string>& allowed,
                                            absl::string_view action) const {
  return authenticator_.AuthenticateServiceAmong(context, allowed, action).status();
}

grpc::Status RealtimeGrpcService::Publish(grpc::ServerContext* context,
                                          const v1::PublishRequest* request, v1::PublishResponse*) {
  grpc_server::RequestScope scope(*context);
  return status::ToGrpcStatus([&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(Authorize(*context, publishers_, "publish"));
    if (!request->has_event()) return status::InvalidFieldError("event", "is required");
    v1::RealtimeFrame frame;
    v1::RoomEvent* event = frame.mutable_room_event();
    *event = request->event();
    CHATTER_RETURN_IF_ERROR(ValidateRoomEvent(*event));
    if (event->event_id().empty()) event->set_event_id(links_.uuids.NewV7());
    if (!event->has_occurred_at()) {
      SetTimestamp(absl::FromUnixMillis(links_.clock.UnixMillis()), event->mutable_occurred_at());
    }
    return bus_.Publish(frame);
  }());
}

grpc::Status RealtimeGrpcService::GetPresence(grpc::ServerContext* context,
                                              const v1::GetPresenceRequest* request,
                                              v1::GetPresenceResponse* response) {
  grpc_server::RequestScope scope(*context);
  return status::ToGrpcStatus([&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(Authorize(*context, gateways_, "read presence"));
    CHATTER_ASSIGN_OR_RETURN(std::vector<std::string> users, ParseUserIds(request->user_ids()));
    std::string viewer;
    if (!request->viewer_user_id().empty()) {
      CHATTER_ASSIGN_OR_RETURN(viewer, ParseId("viewer_user_id", request->viewer_user_id()));
    }
    CHATTER_ASSIGN_OR_RETURN(std::vector<v1::Presence> presences, presence_.Get(users, viewer));
    for (v1::Presence& presence : presences) *response->add_presences() = std::move(presence);
    return absl::OkStatus();
  }());
}

grpc::ServerBidiReactor<v1::GatewayFrame, v1::RealtimeFrame>* RealtimeGrpcService::Connect(
    grpc::CallbackServerContext* context) {
  absl::Status admission = Authorize(*context, gateways_, "connect");
  std::lock_guard lock(mu_);
  if (admission.ok() && stopping_) {
    admission = absl::UnavailableError("realtime-svc is shutting down; reconnect elsewhere");
  }
  GatewayStream::Options options = stream_options_;
  options.request_id = grpc_server::RequestIdOf(*context);
  std::shared_ptr<GatewayStream> stream =
      GatewayStream::Start(links_, std::move(options), admission, [this](GatewayStream* done) {
        std::lock_guard lock(mu_);
        streams_.erase(done);
      });
  streams_.emplace(stream.get(), stream);
  return stream.get();
}

void RealtimeGrpcService::StopStreams() {
  std::vector<std::shared_ptr<GatewayStream>> open;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (const auto& [raw, weak] : streams_) {
      if (std::shared_ptr<GatewayStream> stream = weak.lock()) open.push_back(std::move(stream));
    }
  }
  for (const std::shared_ptr<GatewayStream>& stream : open) {
    stream->Close(absl::UnavailableError("realtime-svc is shutting down; reconnect elsewhere"));
  }
}

size_t RealtimeGrpcService::open_streams() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

}  // namespace chatter::realtime
