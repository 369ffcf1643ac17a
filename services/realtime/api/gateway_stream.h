// One gateway's Connect stream as a gRPC callback reactor: reads frames one at a time into its
// GatewayLink, and writes the frames fan-out hands it from a bounded queue with one write in
// flight. A full queue ends the stream with RESOURCE_EXHAUSTED (the gateway reconnects and
// re-subscribes; clients catch up with since_seq). Send() and Close() may be called from any
// thread; none of this blocks.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "chatter/realtime/v1/realtime.pb.h"
#include "services/realtime/domain/frame_sink.h"
#include "services/realtime/domain/gateway_link.h"
#include "services/realtime/domain/realtime_metrics.h"

namespace chatter::realtime {

class GatewayStream final : public grpc::ServerBidiReactor<v1::GatewayFrame, v1::RealtimeFrame>,
                            public FrameSink {
 public:
  struct Options {
    LinkSettings link;
    size_t queue_frames = 10000;  // Frames waiting behind the one being written.
    // The call's x-request-id (the gateway sends its gateway id): each reactor step runs under
    // it, so the link's log lines name the stream they are about.
    std::string request_id = "";
  };

  // Starts serving the stream; with a non-OK `admission` it is finished at once with that
  // status. The stream owns itself until gRPC calls OnDone, and stays alive after that while
  // fan-out still holds it (sending to it is then a no-op). `on_done` runs in OnDone.
  static std::shared_ptr<GatewayStream> Start(LinkDependencies deps, Options options,
                                              const absl::Status& admission,
                                              std::function<void(GatewayStream*)> on_done);

  bool Send(std::shared_ptr<const v1::RealtimeFrame> frame) override;
  bool SendIfRoom(std::shared_ptr<const v1::RealtimeFrame> frame) override;
  void Close(const absl::Status& status) override;

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

  // Use Start(); public for std::make_shared only.
  GatewayStream(LinkDependencies deps, Options options,
                std::function<void(GatewayStream*)> on_done);

 private:
  // Both with mu_ held.
  void ReadNextLocked();
  void FinishLocked(const absl::Status& status);

  RealtimeMetrics& metrics_;
  size_t queue_frames_;
  std::string request_id_;
  std::function<void(GatewayStream*)> on_done_;
  std::unique_ptr<GatewayLink> link_;  // Reactor callbacks only (they never overlap).
  v1::GatewayFrame incoming_;          // The frame being read.

  std::mutex mu_;  // Guards what follows; held while starting reads, writes and Finish.
  std::deque<std::shared_ptr<const v1::RealtimeFrame>> queue_;
  std::shared_ptr<const v1::RealtimeFrame> writing_;  // Kept alive until OnWriteDone.
  bool finished_ = false;                             // Finish was called: start nothing more.
  std::shared_ptr<GatewayStream> self_;               // gRPC's reference, dropped in OnDone.
};

}  // namespace chatter::realtime
