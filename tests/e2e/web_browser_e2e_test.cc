// The landing page and the reference web app in Debian's Chromium (tools/browser/app_e2e.mjs,
// playwright-core), served by this suite's gateway from the built tools/web/site/dist and
// tools/web/app/dist. The script asks for a gateway restart mid-chat; this test does it (SIGTERM,
// so sessions close with 1012, then a new process on the same port) and tells the script. The
// stack's access tokens live 60 s, so the script can present one that has really expired.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/shared_stack_test.h"

#ifndef CHATTER_SOURCE_DIR
#error \
    "CHATTER_SOURCE_DIR (the repository, for tools/browser and tools/web) must be defined by CMake"
#endif
#ifndef CHATTER_BINARY_DIR
#error "CHATTER_BINARY_DIR (the build folder, for the screenshots) must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

const std::string kBrowserDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/browser");
const std::string kSiteDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/web/site/dist");
const std::string kAppDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/web/app/dist");
const std::string kScreenshotDir = absl::StrCat(CHATTER_BINARY_DIR, "/browser-screenshots");
constexpr int kAccessTokenTtlSeconds = 60;  // The shortest auth-svc allows.

class WebBrowserE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack(
        {.env = {
             {Component::kGateway,
              {{"CHATTER_GATEWAY_STATIC_ROOT", kSiteDir}, {"CHATTER_GATEWAY_APP_DIR", kAppDir}}},
             {Component::kAuth,
              {{"CHATTER_ACCESS_TOKEN_TTL_S", absl::StrCat(kAccessTokenTtlSeconds)}}}}});
  }
};

TEST_F(WebBrowserE2eTest, LandingPageAndAppWorkInChromiumAcrossAGatewayRestart) {
  // Fails, never skips: `tools/dev test` installs Chromium and playwright-core and builds both.
  for (const std::string& needed :
       {std::string("/usr/bin/chromium"), kBrowserDir + "/node_modules/playwright-core",
        kBrowserDir + "/node_modules/axe-core", kSiteDir + "/index.html",
        kAppDir + "/index.html"}) {
    ASSERT_TRUE(std::filesystem::exists(needed))
        << needed
        << " is missing; `tools/dev test` installs and builds it (see tests/e2e/README.md)";
  }
  const std::string restart_done = absl::StrCat(stack().log_dir(), "/gateway-restarted");
  std::filesystem::remove(restart_done);

  absl::StatusOr<std::unique_ptr<ChildProcess>> run = ChildProcess::Start(
      // node from PATH (exit 127 if there is none; `tools/dev test` installs it).
      "browser-app-e2e", "/usr/bin/env", {"node", kBrowserDir + "/app_e2e.mjs"},
      {{"CHATTER_GATEWAY_URL", absl::StrCat("http://127.0.0.1:", port())},
       {"CHATTER_SCREENSHOT_DIR", kScreenshotDir},
       {"CHATTER_RESTART_DONE_FILE", restart_done},
       {"CHATTER_TOKEN_TTL_S", absl::StrCat(kAccessTokenTtlSeconds)}},
      stack().log_dir());
  ASSERT_TRUE(run.ok()) << run.status();
  ChildProcess& script = **run;

  absl::StatusOr<nlohmann::json> asked =
      script.WaitForLogMessage("restart the gateway", absl::Seconds(180));
  ASSERT_TRUE(asked.ok()) << asked.status() << "\n" << script.Log();
  ExitStatus stopped = stack().Kill(Component::kGateway, SIGTERM);
  EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();
  ASSERT_TRUE(stack().Restart(Component::kGateway).ok());
  std::ofstream(restart_done) << "restarted\n";

  std::optional<ExitStatus> exit = script.WaitExit(absl::Seconds(240));
  if (!exit) exit = script.Stop(SIGTERM, absl::Seconds(5));
  EXPECT_TRUE(exit->ExitedWith(0)) << "tools/browser/app_e2e.mjs " << exit->ToString() << ":\n"
                                   << script.Log() << "\ngateway log tail:\n"
                                   << stack().process(Component::kGateway).LogTail(30);
  EXPECT_NE(script.Log().find("all browser checks passed"), std::string::npos) << script.Log();
}

}  // namespace
}  // namespace chatter::e2e
