// Runs a function on its own thread every interval until stopped (realtime-svc's presence
// sweeper, the revocation feed).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace chatter::process {

class PeriodicTask {
 public:
  PeriodicTask(absl::Duration interval, std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // The first run comes after one interval, or at once with `run_now`. Call once.
  void Start(bool run_now = false);
  // Wakes the thread at once and joins it (after a run in progress). Idempotent.
  void Stop();

 private:
  absl::Duration interval_;
  std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread thread_;
};

}  // namespace chatter::process
