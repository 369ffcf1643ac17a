// realtime-svc's Publish as the destination of chat-svc's room events.
#include "services/chat/clients/realtime_event_sink.h"

#include <grpcpp/client_context.h>

#include <cstdint>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/chat/api/chat_proto.h"

namespace chatter::chat {
namespace {

void SetMemberChange(const RoomEvent& event, realtime::v1::MemberChange* out) {
  out->set_room_id(event.room_id);
  out->set_user_id(event.user_id);
}

void SetReceipt(const RoomEvent& event, realtime::v1::ReadReceipt* out) {
  out->set_room_id(event.room_id);
  out->set_user_id(event.user_id);
  out->set_seq(event.seq);
}

}  // namespace

realtime::v1::RoomEvent ToProto(const RoomEvent& event) {
  realtime::v1::RoomEvent out;
  out.set_room_id(event.room_id);
  out.set_event_id(event.event_id);
  out.set_request_id(event.request_id);
  SetTime(event.occurred_at, out.mutable_occurred_at());
  for (const std::string& user : event.revoked_user_ids) out.add_revoked_user_ids(user);
  switch (event.kind) {
    case RoomEvent::Kind::kMessageCreated:
      ToProto(event.message, out.mutable_message_created());
      break;
    case RoomEvent::Kind::kMessageUpdated:
      ToProto(event.message, out.mutable_message_updated());
      break;
    case RoomEvent::Kind::kMessageDeleted:
      ToProto(event.message, out.mutable_message_deleted());
      break;
    case RoomEvent::Kind::kReadReceipt:
      SetReceipt(event, out.mutable_read_receipt());
      break;
    case RoomEvent::Kind::kDeliveryReceipt:
      SetReceipt(event, out.mutable_delivery_receipt());
      break;
    case RoomEvent::Kind::kReactionAdded:
    case RoomEvent::Kind::kReactionRemoved: {
      realtime::v1::Reaction* reaction = event.kind == RoomEvent::Kind::kReactionAdded
                                             ? out.mutable_reaction_added()
                                             : out.mutable_reaction_removed();
      reaction->set_room_id(event.room_id);
      reaction->set_message_id(event.message_id);
      reaction->set_emoji(event.emoji);
      reaction->set_user_id(event.user_id);
      break;
    }
    case RoomEvent::Kind::kMemberJoined:
      SetMemberChange(event, out.mutable_member_joined());
      break;
    case RoomEvent::Kind::kMemberLeft:
      SetMemberChange(event, out.mutable_member_left());
      break;
    case RoomEvent::Kind::kRoomHead:
      out.mutable_head()->set_room_id(event.room_id);
      out.mutable_head()->set_last_seq(event.seq);
      break;
  }
  return out;
}

// One PublishStream call, driven through its own completion queue by the calling thread. Every
// operation started is awaited before the next starts, except on failure, where Close() cancels
// the call and drains what is still pending.
class RealtimeEventSink::Stream {
 public:
  Stream(realtime::v1::RealtimeService::Stub& stub, std::string token, absl::Time deadline)
      : token_(std::move(token)) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    call_ = stub.PrepareAsyncPublishStream(&context_, &cq_);
    call_->StartCall(TagOf(kStart));
    pending_.insert(kStart);
    status_ = Await(kStart, deadline);
  }
  ~Stream() { Close(/*cancel=*/true, absl::InfiniteFuture()); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // OK while the stream can carry batches.
  const absl::Status& status() const { return status_; }
  const std::string& token() const { return token_; }

  // Sends `batch` and waits for its ack until `deadline`; the first failure closes the stream
  // for good and is answered from then on.
  absl::StatusOr<realtime::v1::PublishAck> RoundTrip(const realtime::v1::PublishBatch& batch,
                                                     absl::Time deadline) {
    if (!status_.ok()) return status_;
    realtime::v1::PublishAck ack;
    call_->Write(batch, TagOf(kWrite));
    pending_.insert(kWrite);
    call_->Read(&ack, TagOf(kRead));
    pending_.insert(kRead);
    status_ = Await(kWrite, deadline);
    if (status_.ok()) status_ = Await(kRead, deadline);
    if (!status_.ok()) return status_;
    if (ack.batch_id() != batch.batch_id()) {
      status_ = absl::InternalError(absl::StrCat("realtime-svc acknowledged batch ", ack.batch_id(),
                                                 " for ", batch.batch_id()));
      Close(/*cancel=*/true, deadline);
      return status_;
    }
    return ack;
  }

 private:
  enum Tag : intptr_t { kStart = 1, kWrite, kRead, kFinish };
  static void* TagOf(Tag tag) { return reinterpret_cast<void*>(tag); }

  // Runs the queue until `tag` completes. A failed operation means the call is over: its status
  // comes from Finish. Past `deadline` the call is cancelled: DEADLINE_EXCEEDED.
  absl::Status Await(Tag tag, absl::Time deadline) {
    while (pending_.contains(tag)) {
      void* got = nullptr;
      bool ok = false;
      switch (cq_.AsyncNext(&got, &ok, absl::ToChronoTime(deadline))) {
        case grpc::CompletionQueue::TIMEOUT:
          Close(/*cancel=*/true, absl::InfiniteFuture());
          return absl::DeadlineExceededError("realtime-svc did not answer the publish stream");
        case grpc::CompletionQueue::SHUTDOWN:
          return absl::UnavailableError("publish stream closed");
        case grpc::CompletionQueue::GOT_EVENT:
          pending_.erase(static_cast<Tag>(reinterpret_cast<intptr_t>(got)));
          if (!ok) {
            Close(/*cancel=*/false, deadline);
            return finished_.ok() ? absl::UnavailableError("realtime-svc ended the publish stream")
                                  : finished_;
          }
          break;
      }
    }
    return absl::OkStatus();
  }

  // Finishes the call (cancelling it first when asked, or when the server does not finish by
  // `deadline`), drains every pending operation and shuts the queue down. Answers the call's
  // status in finished_. Idempotent.
  void Close(bool cancel, absl::Time deadline) {
    if (closed_) return;
    closed_ = true;
    if (cancel) context_.TryCancel();
    grpc::Status finished;
    call_->Finish(&finished, TagOf(kFinish));
    pending_.insert(kFinish);
    while (!pending_.empty()) {
      void* got = nullptr;
      bool ok = false;
      if (cq_.AsyncNext(&got, &ok, absl::ToChronoTime(deadline)) ==
          grpc::CompletionQueue::TIMEOUT) {
        context_.TryCancel();  // Everything pending now completes promptly.
        deadline = absl::InfiniteFuture();
        continue;
      }
      pending_.erase(static_cast<Tag>(reinterpret_cast<intptr_t>(got)));
    }
    cq_.Shutdown();
    void* got = nullptr;
    bool ok = false;
    while (cq_.Next(&got, &ok)) {
    }
    finished_ = status::FromGrpcStatus(finished);
  }

  std::string token_;
  grpc::ClientContext context_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<
      grpc::ClientAsyncReaderWriter<realtime::v1::PublishBatch, realtime::v1::PublishAck>>
      call_;
  absl::flat_hash_set<Tag> pending_;  // Started, not completed yet.
  absl::Status status_;
  bool closed_ = false;
  absl::Status finished_;  // The call's status, once closed.
};

RealtimeEventSink::RealtimeEventSink(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                                     authn::ServiceTokenSource& tokens, absl::Duration call_timeout)
    : stub_(realtime::v1::RealtimeService::NewStub(std::move(realtime_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

RealtimeEventSink::~RealtimeEventSink() = default;

absl::StatusOr<RealtimeEventSink::Stream*> RealtimeEventSink::CurrentStream() {
  CHATTER_ASSIGN_OR_RETURN(std::string token, tokens_.Token());
  if (stream_ != nullptr && stream_->status().ok() && stream_->token() == token) {
    return stream_.get();
  }
  stream_.reset();  // Closes the old one first: one stream per sink.
  stream_ = std::make_unique<Stream>(*stub_, std::move(token), absl::Now() + call_timeout_);
  if (!stream_->status().ok()) return stream_->status();
  return stream_.get();
}

absl::StatusOr<std::vector<size_t>> RealtimeEventSink::SendBatch(
    absl::Span<const RoomEvent> events) {
  if (events.empty()) return std::vector<size_t>();
  CHATTER_ASSIGN_OR_RETURN(Stream * stream, CurrentStream());
  realtime::v1::PublishBatch batch;
  batch.set_batch_id(next_batch_id_++);
  batch.mutable_events()->Reserve(static_cast<int>(events.size()));
  for (const RoomEvent& event : events) *batch.add_events() = ToProto(event);
  CHATTER_ASSIGN_OR_RETURN(realtime::v1::PublishAck ack,
                           stream->RoundTrip(batch, absl::Now() + call_timeout_));
  std::vector<size_t> rejected;
  for (uint32_t index : ack.rejected()) {
    if (index < events.size()) rejected.push_back(index);
  }
  return rejected;
}

}  // namespace chatter::chat
