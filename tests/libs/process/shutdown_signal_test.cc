// Tests that SIGTERM/SIGINT are collected by Wait instead of killing the process.
#include "libs/process/shutdown_signal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace chatter::process {
namespace {

TEST(ShutdownSignal, WaitReturnsTheSignalSentToTheProcess) {
  ShutdownSignal signal;
  // A thread started after construction inherits the mask, so the process survives the signal.
  std::thread sender([] { kill(getpid(), SIGTERM); });
  EXPECT_EQ(signal.Wait(), SIGTERM);
  sender.join();
  kill(getpid(), SIGINT);
  EXPECT_EQ(signal.Wait(), SIGINT);
}

}  // namespace
}  // namespace chatter::process
