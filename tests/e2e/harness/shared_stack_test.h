// A gtest fixture for suites whose tests only read from the stack (or use names of their own):
// one stack started per suite, so the suite pays the start-up once.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/e2e/harness/stack.h"

namespace chatter::e2e {

class SharedStackTest : public ::testing::Test {
 protected:
  // Call from the derived suite's SetUpTestSuite().
  static void StartSharedStack(StackOptions options = {}) {
    absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(std::move(options));
    if (stack.ok()) {
      stack_ = std::move(*stack).release();
    } else {
      start_error_ = new std::string(stack.status().ToString());
    }
  }

  static void TearDownTestSuite() {
    if (stack_ != nullptr) stack_->Stop();
    delete stack_;
    stack_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(stack_, nullptr) << *start_error_; }

  static bool stack_started() { return stack_ != nullptr; }
  static Stack& stack() { return *stack_; }
  static int port() { return stack_->gateway_port(); }

 private:
  static inline Stack* stack_ = nullptr;
  static inline std::string* start_error_ = nullptr;
};

}  // namespace chatter::e2e
