// CallGate: at most `max_in_flight` calls run at once; later ones wait their turn in FIFO order,
// up to `max_waiting`, and beyond that are refused at once.
//
// Why: chat-svc serves each call on a thread of a bounded pool and refuses a call that finds
// every thread busy ("Server Threadpool Exhausted"). A burst of sessions coming back at once
// (a gateway restart: every client resubscribes with since_seq and resends what was not
// answered) would otherwise arrive as one wave of thousands of calls and get refusals it did
// not cause; queued here, the same wave is served at the rate chat-svc can take, and only a
// queue overflow is refused (as resource_exhausted with a retry hint).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/status/status.h"

namespace chatter::gateway {

class CallGate {
 public:
  struct Options {
    size_t max_in_flight = 64;
    size_t max_waiting = 10000;
  };
  // Frees the call's slot, starting the next waiting call (on the calling thread). Call it
  // once, when the call has completed; later calls do nothing.
  using Release = std::function<void()>;
  // Starts a call that must eventually invoke `release`.
  using Start = std::function<void(Release release)>;
  // Tells a call it will not run (queue full, or the gate went away while it waited).
  using Refuse = std::function<void(absl::Status why)>;

  explicit CallGate(Options options);
  // Refuses every call still waiting (UNAVAILABLE). Calls in flight may still release later.
  ~CallGate();
  CallGate(const CallGate&) = delete;
  CallGate& operator=(const CallGate&) = delete;

  // Runs `start` now (on this thread) when a slot is free, else queues it; calls `refuse`
  // instead when max_waiting calls already wait.
  void Enter(Start start, Refuse refuse);

  size_t in_flight() const;
  size_t waiting() const;

 private:
  struct Waiting {
    Start start;
    Refuse refuse;
  };
  // Shared with the Release functions, so a release after the gate is gone is harmless.
  struct State {
    Options options;
    mutable std::mutex mu;
    size_t in_flight = 0;
    std::deque<Waiting> waiting;
    bool closed = false;
  };
  static Release MakeRelease(std::shared_ptr<State> state);
  // Frees a slot and starts waiting calls while slots are free.
  static void Leave(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

}  // namespace chatter::gateway
