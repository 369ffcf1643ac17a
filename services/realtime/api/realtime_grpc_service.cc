// chatter.realtime.v1.RealtimeService over gRPC.
#include "services/realtime/api/realtime_grpc_service.h"

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc_server/request_scope.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/realtime/domain/frames.h"
#include "services/realtime/domain/validation.h"

namespace chatter::realtime {
namespace {

// Events per PublishStream batch at most (the proto's contract).
constexpr int kMaxPublishBatch = 1000;

}  // namespace

RealtimeGrpcService::RealtimeGrpcService(const authn::Authenticator& authenticator,
                                         AccessPolicy access, GatewayStream::Options streams,
                                         LinkDependencies links, EventBus& bus,
                                         PresenceService& presence)
    : authenticator_(authenticator),
      publishers_(access.publishers.begin(), access.publishers.end()),
      gateways_(access.gateways.begin(), access.gateways.end()),
      presence_readers_(gateways_),
      stream_options_(std::move(streams)),
      links_(links),
      bus_(bus),
      presence_(presence) {
  presence_readers_.insert(access.presence_readers.begin(), access.presence_readers.end());
}

absl::Status RealtimeGrpcService::Authorize(const grpc::ServerContextBase& context,
                                            const absl::flat_hash_set<std::string>& allowed,
                                            absl::string_view action) const {
  return authenticator_.AuthenticateServiceAmong(context, allowed, action).status();
}

absl::StatusOr<v1::RealtimeFrame> RealtimeGrpcService::ToBusFrame(v1::RoomEvent& event) const {
  CHATTER_RETURN_IF_ERROR(ValidateRoomEvent(event));
  if (event.event_id().empty()) event.set_event_id(links_.uuids.NewV7());
  if (!event.has_occurred_at()) {
    SetTimestamp(absl::FromUnixMillis(links_.clock.UnixMillis()), event.mutable_occurred_at());
  }
  v1::RealtimeFrame frame;
  *frame.mutable_room_event() = std::move(event);
  return frame;
}

absl::StatusOr<v1::RealtimeFrame> RealtimeGrpcService::ToBusFrame(
    v1::UserEvent event, const grpc::ServerContext& context) const {
  CHATTER_RETURN_IF_ERROR(ValidateUserEvent(event));
  if (event.event_id().empty()) {
    event.set_event_id(event.has_notification() && !event.notification().id().empty()
                           ? event.notification().id()
                           : links_.uuids.NewV7());
  }
  if (event.has_notification() && event.notification().id().empty()) {
    event.mutable_notification()->set_id(event.event_id());
  }
  if (event.request_id().empty()) event.set_request_id(grpc_server::RequestIdOf(context));
  v1::RealtimeFrame frame;
  *frame.mutable_user_event() = std::move(event);
  return frame;
}

grpc::Status RealtimeGrpcService::Publish(grpc::ServerContext* context,
                                          const v1::PublishRequest* request, v1::PublishResponse*) {
  grpc_server::RequestScope scope(*context);
  return status::ToGrpcStatus([&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(Authorize(*context, publishers_, "publish"));
    if (!request->has_event()) return status::InvalidFieldError("event", "is required");
    v1::RoomEvent event = request->event();
    CHATTER_ASSIGN_OR_RETURN(v1::RealtimeFrame frame, ToBusFrame(event));
    return bus_.Publish(frame);
  }());
}

absl::Status RealtimeGrpcService::PublishBatch(v1::PublishBatch& batch, v1::PublishAck& ack) {
  if (batch.events_size() > kMaxPublishBatch) {
    return status::InvalidFieldError("events", absl::StrCat("has more than ", kMaxPublishBatch));
  }
  ack.set_batch_id(batch.batch_id());
  std::vector<v1::RealtimeFrame> frames;
  frames.reserve(static_cast<size_t>(batch.events_size()));
  for (int i = 0; i < batch.events_size(); ++i) {
    absl::StatusOr<v1::RealtimeFrame> frame = ToBusFrame(*batch.mutable_events(i));
    if (frame.ok()) {
      frames.push_back(*std::move(frame));
      continue;
    }
    ack.add_rejected(static_cast<uint32_t>(i));
    // Under the request that caused the event: the publisher's trace shows why it went nowhere.
    log::Write(log::Level::kWarn, batch.events(i).request_id(), "room event refused",
               {{"error", frame.status().ToString()}, {"event_id", batch.events(i).event_id()}});
  }
  return bus_.PublishAll(frames);
}

grpc::Status RealtimeGrpcService::PublishStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::PublishAck, v1::PublishBatch>* stream) {
  grpc_server::RequestScope scope(*context);
  absl::StatusOr<authn::Principal> publisher =
      authenticator_.AuthenticateServiceAmong(*context, publishers_, "publish");
  if (!publisher.ok()) return status::ToGrpcStatus(publisher.status());
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return status::ToGrpcStatus(
          absl::UnavailableError("realtime-svc is shutting down; reconnect elsewhere"));
    }
    publish_streams_.insert(context);
  }
  absl::Cleanup forget = [&] {
    std::lock_guard lock(mu_);
    publish_streams_.erase(context);
  };
  // The token was checked once, here: the stream lives no longer than the token is accepted.
  absl::Time token_ends = absl::Now() + publisher->accepted_for;
  v1::PublishBatch batch;
  while (stream->Read(&batch)) {
    if (absl::Now() >= token_ends) {
      return status::ToGrpcStatus(
          absl::UnauthenticatedError("the stream's token has expired; open a new stream"));
    }
    v1::PublishAck ack;
    if (absl::Status published = PublishBatch(batch, ack); !published.ok()) {
      return status::ToGrpcStatus(published);
    }
    if (!stream->Write(ack)) break;
  }
  return grpc::Status::OK;  // The publisher closed it, or StopStreams cancelled it.
}

grpc::Status RealtimeGrpcService::PublishUserEvent(grpc::ServerContext* context,
                                                   const v1::PublishUserEventRequest* request,
                                                   v1::PublishUserEventResponse*) {
  grpc_server::RequestScope scope(*context);
  return status::ToGrpcStatus([&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(Authorize(*context, publishers_, "publish user events"));
    if (!request->has_event()) return status::InvalidFieldError("event", "is required");
    CHATTER_ASSIGN_OR_RETURN(v1::RealtimeFrame frame, ToBusFrame(request->event(), *context));
    // On the bus, every instance hands it to its gateways with a session of one of the users.
    return bus_.Publish(frame);
  }());
}

grpc::Status RealtimeGrpcService::GetPresence(grpc::ServerContext* context,
                                              const v1::GetPresenceRequest* request,
                                              v1::GetPresenceResponse* response) {
  grpc_server::RequestScope scope(*context);
  return status::ToGrpcStatus([&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(Authorize(*context, presence_readers_, "read presence"));
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
    // Their handlers are blocked in Read: cancelling ends them now, CANCELLED on the publisher's
    // side (it opens a new stream elsewhere and owes the rooms of unacknowledged batches their
    // heads).
    for (grpc::ServerContext* publish_stream : publish_streams_) publish_stream->TryCancel();
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
