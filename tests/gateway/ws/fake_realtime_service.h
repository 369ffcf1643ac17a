// An in-process realtime-svc stand-in for the bridge tests: a callback Connect that answers
// hello with welcome, records every frame and the caller's authorization, and lets a test push
// frames to the open stream or end it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"

namespace chatter::gateway::testing {

class FakeRealtimeService final : public realtime::v1::RealtimeService::CallbackService {
 public:
  using GatewayFrame = realtime::v1::GatewayFrame;
  using RealtimeFrame = realtime::v1::RealtimeFrame;

  explicit FakeRealtimeService(int heartbeat_interval_ms = 60000)
      : heartbeat_interval_ms_(heartbeat_interval_ms) {}

  grpc::ServerBidiReactor<GatewayFrame, RealtimeFrame>* Connect(
      grpc::CallbackServerContext* context) override {
    auto* stream = new Stream(*this, *context);
    std::lock_guard lock(mu_);
    ++streams_;
    current_ = stream;
    return stream;
  }

  // Every frame received on any stream, in order, and each stream's first frame index.
  std::vector<GatewayFrame> frames() {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mu_);
    return authorizations_;
  }
  int streams() {
    std::lock_guard lock(mu_);
    return streams_;
  }
  bool connected() {
    std::lock_guard lock(mu_);
    return current_ != nullptr;
  }
  // Sends `frame` on the current stream; false when there is none.
  bool Push(const RealtimeFrame& frame) {
    std::lock_guard lock(mu_);
    if (current_ == nullptr) return false;
    current_->Send(frame);
    return true;
  }
  // Whether welcome honours hello.events_from_bus (true, as realtime-svc does now) or ignores
  // it (false: an instance from before the field).
  void set_honours_events_from_bus(bool honours) { honours_events_from_bus_.store(honours); }
  // Ends the current stream with `status` (e.g. UNAVAILABLE, as when shutting down).
  bool End(grpc::Status status) {
    std::lock_guard lock(mu_);
    if (current_ == nullptr) return false;
    current_->End(std::move(status));
    return true;
  }

 private:
  class Stream final : public grpc::ServerBidiReactor<GatewayFrame, RealtimeFrame> {
   public:
    Stream(FakeRealtimeService& service, grpc::CallbackServerContext& context) : service_(service) {
      auto auth = context.client_metadata().find("authorization");
      std::string value = auth == context.client_metadata().end()
                              ? ""
                              : std::string(auth->second.data(), auth->second.size());
      {
        std::lock_guard lock(service_.mu_);
        service_.authorizations_.push_back(value);
      }
      StartRead(&incoming_);
    }

    void Send(const RealtimeFrame& frame) {
      std::lock_guard lock(mu_);
      if (finishing_) return;
      queue_.push_back(frame);
      if (!writing_) WriteNextLocked();
    }
    void End(grpc::Status status) {
      std::lock_guard lock(mu_);
      if (finishing_) return;
      finishing_ = true;
      end_status_ = std::move(status);
      if (!writing_) Finish(end_status_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        End(grpc::Status::OK);
        return;
      }
      {
        std::lock_guard lock(service_.mu_);
        service_.frames_.push_back(incoming_);
      }
      if (incoming_.has_hello()) {
        RealtimeFrame welcome;
        welcome.mutable_welcome()->set_instance_id("fake");
        welcome.mutable_welcome()->set_heartbeat_interval_ms(service_.heartbeat_interval_ms_);
        welcome.mutable_welcome()->set_presence_ttl_ms(30000);
        welcome.mutable_welcome()->set_bus_frames_withheld(
            service_.honours_events_from_bus_.load() && incoming_.hello().events_from_bus());
        Send(welcome);
      }
      StartRead(&incoming_);
    }
    void OnWriteDone(bool ok) override {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (ok && !queue_.empty() && !finishing_) return WriteNextLocked();
      if (finishing_) Finish(end_status_);
    }
    void OnDone() override {
      {
        std::lock_guard lock(service_.mu_);
        if (service_.current_ == this) service_.current_ = nullptr;
      }
      delete this;
    }

   private:
    void WriteNextLocked() {
      current_ = queue_.front();
      queue_.erase(queue_.begin());
      writing_ = true;
      StartWrite(&current_);
    }

    FakeRealtimeService& service_;
    GatewayFrame incoming_;
    std::mutex mu_;
    std::vector<RealtimeFrame> queue_;
    RealtimeFrame current_;
    bool writing_ = false;
    bool finishing_ = false;
    grpc::Status end_status_;
  };

  const int heartbeat_interval_ms_;
  std::atomic<bool> honours_events_from_bus_{true};
  std::mutex mu_;
  std::vector<GatewayFrame> frames_;
  std::vector<std::string> authorizations_;
  int streams_ = 0;
  Stream* current_ = nullptr;
};

// The fake served on 127.0.0.1 (a free port, or `port`) until Shutdown or destruction.
class FakeRealtimeServer {
 public:
  explicit FakeRealtimeServer(int heartbeat_interval_ms = 60000, int port = 0)
      : service_(heartbeat_interval_ms) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~FakeRealtimeServer() { Shutdown(); }

  // Ends every stream (UNAVAILABLE to the client) and stops listening.
  void Shutdown() {
    if (!server_) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    server_.reset();
  }

  FakeRealtimeService& service() { return service_; }
  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  FakeRealtimeService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// Polls `condition` until true or `timeout`; true when it became true.
inline bool WaitFor(const std::function<bool()>& condition,
                    absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace chatter::gateway::testing
