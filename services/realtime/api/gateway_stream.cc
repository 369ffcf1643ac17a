// The Connect reactor: reads into the link, writes from the bounded queue.
#include "services/realtime/api/gateway_stream.h"

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "libs/status/grpc_status.h"

namespace chatter::realtime {

std::shared_ptr<GatewayStream> GatewayStream::Start(LinkDependencies deps, Options options,
                                                    const absl::Status& admission,
                                                    std::function<void(GatewayStream*)> on_done) {
  LinkSettings link_settings = options.link;
  auto stream = std::make_shared<GatewayStream>(deps, std::move(options), std::move(on_done));
  stream->link_ = std::make_unique<GatewayLink>(deps, std::move(link_settings),
                                                std::weak_ptr<FrameSink>(stream));
  std::lock_guard lock(stream->mu_);
  stream->self_ = stream;
  if (!admission.ok()) {
    stream->FinishLocked(admission);
  } else {
    stream->ReadNextLocked();
  }
  return stream;
}

GatewayStream::GatewayStream(LinkDependencies deps, Options options,
                             std::function<void(GatewayStream*)> on_done)
    : metrics_(deps.metrics),
      queue_frames_(options.queue_frames),
      request_id_(std::move(options.request_id)),
      on_done_(std::move(on_done)) {}

void GatewayStream::ReadNextLocked() {
  if (!finished_) StartRead(&incoming_);
}

void GatewayStream::FinishLocked(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  queue_.clear();
  // A write still in flight completes (or fails) on its own before OnDone.
  Finish(status::ToGrpcStatus(status));
}

bool GatewayStream::Send(std::shared_ptr<const v1::RealtimeFrame> frame) {
  std::lock_guard lock(mu_);
  if (finished_) return false;
  if (writing_ == nullptr) {
    writing_ = std::move(frame);
    StartWrite(writing_.get());
    return true;
  }
  if (queue_.size() >= queue_frames_) {
    metrics_.gateway_overflows.Inc();
    FinishLocked(absl::ResourceExhaustedError(absl::StrCat(
        "gateway too slow: ", queue_frames_, " frames queued; reconnect and subscribe again")));
    return false;
  }
  queue_.push_back(std::move(frame));
  return true;
}

bool GatewayStream::SendIfRoom(std::shared_ptr<const v1::RealtimeFrame> frame) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    if (queue_.size() > queue_frames_ / 2) {
      metrics_.droppable_frames_dropped.Inc();
      return false;
    }
  }
  return Send(std::move(frame));
}

void GatewayStream::Close(const absl::Status& status) {
  std::lock_guard lock(mu_);
  FinishLocked(status);
}

void GatewayStream::OnReadDone(bool ok) {
  // Reactor steps run on any gRPC thread: each one opens the stream's scope itself.
  log::ScopedRequestId scope(request_id_);
  if (!ok) {
    // The gateway closed its side or the call is gone.
    Close(absl::OkStatus());
    return;
  }
  absl::Status handled = link_->Handle(incoming_);
  std::lock_guard lock(mu_);
  if (!handled.ok()) {
    FinishLocked(handled);
    return;
  }
  ReadNextLocked();
}

void GatewayStream::OnWriteDone(bool ok) {
  std::lock_guard lock(mu_);
  writing_.reset();
  if (!ok) {
    FinishLocked(absl::CancelledError("write to the gateway failed"));
    return;
  }
  if (finished_ || queue_.empty()) return;
  writing_ = std::move(queue_.front());
  queue_.pop_front();
  StartWrite(writing_.get());
}

void GatewayStream::OnDone() {
  log::ScopedRequestId scope(request_id_);
  link_->End();
  if (on_done_) on_done_(this);
  std::shared_ptr<GatewayStream> self;
  {
    std::lock_guard lock(mu_);
    self = std::move(self_);
  }
  // `self` may be the last reference: nothing touches members after this scope ends.
}

}  // namespace chatter::realtime
