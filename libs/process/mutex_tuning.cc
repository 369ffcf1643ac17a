// absl::Mutex settings for serving binaries.
#include "libs/process/mutex_tuning.h"

#include "absl/synchronization/mutex.h"

namespace chatter::process {

void UseReleaseMutexSettings() {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

}  // namespace chatter::process
