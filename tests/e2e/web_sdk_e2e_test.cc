// The web SDK (tools/web/sdk, @chatterstack/client) against a real stack: its node:test suite
// (REST client, WebSocket session, generated-types drift check) runs as a child process with
// CHATTER_GATEWAY_URL pointing at this suite's gateway, and must pass with nothing skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/shared_stack_test.h"

#ifndef CHATTER_SOURCE_DIR
#error "CHATTER_SOURCE_DIR (the repository, for tools/web/sdk) must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

const std::string kSdkDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/web/sdk");
// Small, so the suite can overflow a since_seq replay and see resync_required.
constexpr int kReplayLimit = 5;

class WebSdkE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack({.env = {{Component::kGateway,
                               {{"CHATTER_WS_REPLAY_LIMIT", absl::StrCat(kReplayLimit)}}}}});
  }
};

TEST_F(WebSdkE2eTest, NodeTestSuitePassesAgainstTheGateway) {
  // Fails, never skips: `tools/dev test` runs npm ci there first.
  for (const char* module : {"typescript", "ws", "openapi-typescript"}) {
    ASSERT_TRUE(std::filesystem::exists(absl::StrCat(kSdkDir, "/node_modules/", module)))
        << "tools/web/sdk/node_modules/" << module << " is missing. `tools/dev test` installs it; "
        << "by hand: npm ci --no-audit --no-fund --prefix tools/web/sdk";
  }

  absl::StatusOr<std::unique_ptr<ChildProcess>> run = ChildProcess::Start(
      // npm from PATH (exit 127 if there is none; `tools/dev test` installs Debian's npm).
      "web-sdk-npm-test", "/usr/bin/env",
      {"npm", "--prefix", kSdkDir, "--no-update-notifier", "test"},
      {{"CHATTER_GATEWAY_URL", absl::StrCat("http://127.0.0.1:", port())},
       {"CHATTER_SDK_REPLAY_LIMIT", absl::StrCat(kReplayLimit)},
       // npm writes its logs and cache under the test's own directory, not the user's.
       {"npm_config_cache", absl::StrCat(stack().log_dir(), "/npm-cache")},
       {"NO_COLOR", "1"}},
      stack().log_dir());
  ASSERT_TRUE(run.ok()) << run.status();
  std::optional<ExitStatus> exit = (*run)->WaitExit(absl::Seconds(300));
  if (!exit) exit = (*run)->Stop(SIGTERM, absl::Seconds(5));
  ASSERT_TRUE(exit->ExitedWith(0)) << "npm test in tools/web/sdk " << exit->ToString() << ":\n"
                                   << (*run)->Log() << "\ngateway log tail:\n"
                                   << stack().process(Component::kGateway).LogTail(30);
  // node:test marks skipped tests "# SKIP"; with the gateway and the replay limit given, none is.
  EXPECT_EQ((*run)->Log().find("# SKIP"), std::string::npos) << (*run)->Log();
}

}  // namespace
}  // namespace chatter::e2e
