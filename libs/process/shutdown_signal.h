// Waits for SIGTERM/SIGINT without a signal handler: the signals are blocked in every thread
// and collected with sigwait, so shutdown runs as ordinary code in main.
#pragma once

namespace chatter::process {

class ShutdownSignal {
 public:
  // Blocks SIGTERM and SIGINT for the calling thread and every thread it starts afterwards.
  // Construct it first thing in main.
  ShutdownSignal();
  // Returns the signal number once SIGTERM or SIGINT arrives.
  int Wait();
};

}  // namespace chatter::process
