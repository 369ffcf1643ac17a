// Process-wide Abseil mutex settings for serving binaries.
#pragma once

namespace chatter::process {

// Turns off absl::Mutex deadlock detection unless this is a debug build (NDEBUG unset).
// Debian's libabsl leaves it on, and then every lock acquisition updates a global lock graph
// under its own mutex (GraphCycles::GetId showed in the message path's profile). Call first
// thing in main, before any thread takes an absl::Mutex.
void UseReleaseMutexSettings();

}  // namespace chatter::process
