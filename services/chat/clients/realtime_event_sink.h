// EventSink backed by realtime-svc's PublishStream: one long-lived stream, opened with chat-svc's
// service token, carrying each batch as one message and waiting for its ack. The worker thread
// that calls SendBatch drives the stream's completion queue itself, so a batch costs no thread
// hand-off inside chat-svc and no per-event call set-up or token check in realtime-svc.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/completion_queue.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "libs/authn/service_token_source.h"
#include "services/chat/events/event_sink.h"

namespace chatter::chat {

class RealtimeEventSink final : public EventSink {
 public:
  // `tokens` must outlive the sink. `call_timeout` bounds opening a stream and each batch's
  // round trip; past it the stream is abandoned (the batch counts as failed).
  RealtimeEventSink(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                    authn::ServiceTokenSource& tokens, absl::Duration call_timeout);
  ~RealtimeEventSink() override;
  RealtimeEventSink(const RealtimeEventSink&) = delete;
  RealtimeEventSink& operator=(const RealtimeEventSink&) = delete;

  // Not thread-safe: one caller at a time (the publisher's worker). Opens the stream when there
  // is none, or when the service token was renewed since it was opened (realtime-svc ends a
  // stream whose token expired). Errors: the stream's status (UNAVAILABLE, UNAUTHENTICATED,
  // UNIMPLEMENTED from a realtime-svc without PublishStream, ...), DEADLINE_EXCEEDED.
  absl::StatusOr<std::vector<size_t>> SendBatch(absl::Span<const RoomEvent> events) override;

 private:
  class Stream;

  // The open stream, opening one when needed.
  absl::StatusOr<Stream*> CurrentStream();

  std::unique_ptr<realtime::v1::RealtimeService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
  std::unique_ptr<Stream> stream_;
  uint64_t next_batch_id_ = 1;
};

// The wire form of a domain event (exposed for tests).
realtime::v1::RoomEvent ToProto(const RoomEvent& event);

}  // namespace chatter::chat
