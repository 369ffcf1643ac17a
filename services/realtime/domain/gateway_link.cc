// One gateway stream's protocol.
#include "services/realtime/domain/gateway_link.h"

#include "libs/ids/uuid.h"
#include "libs/log/log.h"
#include "services/realtime/domain/frames.h"

namespace chatter::realtime {
namespace {

std::optional<std::string> Id(const std::string& value) { return ids::NormalizeUuid(value); }

}  // namespace

GatewayLink::GatewayLink(LinkDependencies deps, LinkSettings settings,
                         std::weak_ptr<FrameSink> sink)
    : deps_(deps), settings_(std::move(settings)), sink_(std::move(sink)) {}

GatewayLink::~GatewayLink() { End(); }

void GatewayLink::End() {
  if (!stream_) return;
  deps_.registry.RemoveStream(*stream_);
  stream_.reset();
}

void GatewayLink::Invalid(absl::string_view reason) {
  deps_.metrics.gateway_invalid_frames.Inc();
  log::Debug("gateway frame ignored", {{"gateway_id", gateway_id_}, {"reason", reason}});
}

absl::Status GatewayLink::Handle(const v1::GatewayFrame& frame) {
  if (!stream_) {
    if (frame.frame_case() != v1::GatewayFrame::kHello) {
      return absl::FailedPreconditionError("the first frame must be hello");
    }
    return Hello(frame.hello());
  }
  switch (frame.frame_case()) {
    case v1::GatewayFrame::kSessionOpened:
      SessionOpened(frame.session_opened());
      break;
    case v1::GatewayFrame::kSessionClosed:
      SessionClosed(frame.session_closed());
      break;
    case v1::GatewayFrame::kSubscribe:
      Subscribe(frame.subscribe());
      break;
    case v1::GatewayFrame::kUnsubscribe:
      Unsubscribe(frame.unsubscribe());
      break;
    case v1::GatewayFrame::kTyping:
      Typing(frame.typing());
      break;
    case v1::GatewayFrame::kHeartbeat:
      Heartbeat();
      break;
    case v1::GatewayFrame::kHello:
      Invalid("hello repeated");
      break;
    case v1::GatewayFrame::FRAME_NOT_SET:
      Invalid("empty frame");
      break;
  }
  return absl::OkStatus();
}

absl::Status GatewayLink::Hello(const v1::Hello& hello) {
  if (hello.gateway_id().empty()) {
    return absl::FailedPreconditionError("hello needs a gateway_id");
  }
  std::shared_ptr<FrameSink> sink = sink_.lock();
  if (sink == nullptr) return absl::CancelledError("stream gone");
  gateway_id_ = hello.gateway_id();
  // Welcome first: nothing can be routed to the stream before it has subscriptions anyway.
  auto welcome = std::make_shared<v1::RealtimeFrame>();
  welcome->mutable_welcome()->set_instance_id(settings_.instance_id);
  welcome->mutable_welcome()->set_heartbeat_interval_ms(
      static_cast<int32_t>(absl::ToInt64Milliseconds(settings_.heartbeat_interval)));
  welcome->mutable_welcome()->set_presence_ttl_ms(
      static_cast<int32_t>(absl::ToInt64Milliseconds(settings_.presence_ttl)));
  welcome->mutable_welcome()->set_bus_frames_withheld(hello.events_from_bus());
  sink->Send(std::move(welcome));
  std::shared_ptr<FrameSink> replaced;
  stream_ = deps_.registry.AddStream(gateway_id_, sink, &replaced, hello.events_from_bus());
  if (replaced != nullptr && replaced != sink) {
    replaced->Close(absl::AbortedError("replaced by a newer stream of the same gateway"));
  }
  log::Info("gateway connected", {{"gateway_id", gateway_id_},
                                  {"version", hello.version()},
                                  {"events_from_bus", hello.events_from_bus()}});
  return absl::OkStatus();
}

void GatewayLink::SessionOpened(const v1::SessionOpened& opened) {
  std::optional<std::string> session_id = Id(opened.session_id());
  std::optional<std::string> user_id = Id(opened.user_id());
  if (!session_id || !user_id) return Invalid("session_opened: malformed id");
  SessionInfo session{*session_id, *user_id, opened.username()};
  if (!deps_.registry.OpenSession(*stream_, session)) {
    return Invalid("session_opened: session open for another user");
  }
  deps_.presence.SessionOpened(session);
}

void GatewayLink::SessionClosed(const v1::SessionClosed& closed) {
  std::optional<std::string> session_id = Id(closed.session_id());
  if (!session_id) return Invalid("session_closed: malformed id");
  std::optional<SessionRooms> session = deps_.registry.CloseSession(*stream_, *session_id);
  if (!session) return Invalid("session_closed: unknown session");
  deps_.presence.SessionClosed(session->session);
}

void GatewayLink::Subscribe(const v1::RoomSubscription& subscription) {
  std::optional<std::string> room_id = Id(subscription.room_id());
  if (!room_id || subscription.session_ids().empty()) {
    return Invalid("subscribe: malformed room id or no sessions");
  }
  std::vector<std::string> sessions;
  for (const std::string& session : subscription.session_ids()) {
    if (std::optional<std::string> id = Id(session)) sessions.push_back(*std::move(id));
  }
  GatewayRegistry::SubscribeResult result = deps_.registry.Subscribe(*stream_, *room_id, sessions);
  if (result.unknown > 0 ||
      sessions.size() < static_cast<size_t>(subscription.session_ids_size())) {
    Invalid("subscribe: unknown session");
  }
  // A resumed subscription had its presence snapshot on the gateway's earlier stream.
  std::weak_ptr<FrameSink> snapshot_to;
  if (!subscription.resumed()) snapshot_to = sink_;
  for (const SessionInfo& session : result.added) {
    deps_.presence.Subscribed(session, *room_id, snapshot_to);
  }
}

void GatewayLink::Unsubscribe(const v1::RoomSubscription& subscription) {
  std::optional<std::string> room_id = Id(subscription.room_id());
  if (!room_id) return Invalid("unsubscribe: malformed room id");
  std::vector<std::string> sessions;
  for (const std::string& session : subscription.session_ids()) {
    if (std::optional<std::string> id = Id(session)) sessions.push_back(*std::move(id));
  }
  if (deps_.registry.Unsubscribe(*stream_, *room_id, sessions) > 0) {
    Invalid("unsubscribe: unknown session");
  }
}

void GatewayLink::Typing(const v1::TypingFrame& typing) {
  std::optional<std::string> session_id = Id(typing.session_id());
  std::optional<std::string> room_id = Id(typing.typing().room_id());
  std::optional<std::string> user_id = Id(typing.typing().user_id());
  std::optional<SessionInfo> session;
  if (session_id && room_id && user_id) {
    session = deps_.registry.SubscribedSession(*stream_, *session_id, *room_id);
  }
  // Only a session following the room may type there, and only as its own user.
  if (!session || session->user_id != *user_id) {
    deps_.metrics.typing_rejected.Inc();
    return;
  }
  v1::Typing normalized = typing.typing();
  normalized.set_room_id(*room_id);
  normalized.set_user_id(*user_id);
  absl::Time now = absl::FromUnixMillis(deps_.clock.UnixMillis());
  // The username the session opened with is the verified one; the frame's is only a fallback.
  const std::string& username =
      session->username.empty() ? typing.typing().username() : session->username;
  if (!deps_.publisher.PublishLater(
          TypingFrame(normalized, username, deps_.uuids.NewV7(), now, *session_id))) {
    deps_.metrics.typing_dropped.Inc();
  }
}

void GatewayLink::Heartbeat() {
  deps_.presence.Heartbeat(deps_.registry.Sessions(*stream_), sink_);
}

}  // namespace chatter::realtime
