// EventSink backed by realtime-svc's Publish, called with chat-svc's service token. Until
// realtime-svc implements Publish it answers UNIMPLEMENTED; that is just a failed send.
#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "libs/authn/service_token_source.h"
#include "services/chat/events/event_sink.h"

namespace chatter::chat {

class RealtimeEventSink final : public EventSink {
 public:
  // `tokens` must outlive the sink.
  RealtimeEventSink(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                    authn::ServiceTokenSource& tokens, absl::Duration call_timeout);

  absl::Status Send(const RoomEvent& event) override;

 private:
  std::unique_ptr<realtime::v1::RealtimeService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
};

// The wire form of a domain event (exposed for tests).
realtime::v1::RoomEvent ToProto(const RoomEvent& event);

}  // namespace chatter::chat
