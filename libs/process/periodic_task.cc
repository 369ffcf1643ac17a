// A stoppable periodic thread.
#include "libs/process/periodic_task.h"

namespace chatter::process {

PeriodicTask::PeriodicTask(absl::Duration interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)) {}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Start(bool run_now) {
  thread_ = std::thread([this, run_now] {
    if (run_now) task_();
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_),
                           [this] { return stopping_; })) {
      lock.unlock();
      task_();
      lock.lock();
    }
  });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace chatter::process
