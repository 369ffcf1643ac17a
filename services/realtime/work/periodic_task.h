// Runs a function on its own thread every interval until stopped (the presence sweeper).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace chatter::realtime {

class PeriodicTask {
 public:
  PeriodicTask(absl::Duration interval, std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
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

}  // namespace chatter::realtime
