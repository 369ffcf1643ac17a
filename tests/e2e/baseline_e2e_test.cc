// tools/baseline is issue 11's yardstick: one Node.js process that stores each message in
// PostgreSQL and broadcasts it, measured with the same loadgen and CPU accounting as
// `tools/dev bench`. Nothing else runs it, so without this test it could stop speaking loadgen's
// part of the API unnoticed. A short run against it (on a throwaway database) must pass with
// every message delivered once and in order, and with the server's CPU accounted.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/free_port.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/temp_dir.h"
#include "tests/libs/pg/test_database.h"

#ifndef CHATTER_SOURCE_DIR
#error "CHATTER_SOURCE_DIR (the repository, for tools/baseline) must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

using nlohmann::json;

const std::string kBaselineDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/baseline");
constexpr int kUsers = 20;

// loadgen's --json report: the last JSON line of its output that has "passed".
json LoadgenReport(const ChildProcess& loadgen) {
  std::vector<json> lines = loadgen.JsonLogLines();
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (line->contains("passed")) return *line;
  }
  return json();
}

bool Answers(int port) {
  absl::StatusOr<HttpReply> reply = HttpGet(port, "/healthz", {}, absl::Seconds(1));
  return reply.ok() && reply->status == 200;
}

TEST(BaselineE2eTest, LoadgenRunAgainstTheNodeBaselinePassesAndAccountsItsCpu) {
  // Fails, never skips: `tools/dev test` runs npm ci there first.
  for (const char* module : {"ws", "pg"}) {
    ASSERT_TRUE(std::filesystem::exists(absl::StrCat(kBaselineDir, "/node_modules/", module)))
        << "tools/baseline/node_modules/" << module << " is missing. `tools/dev test` installs "
        << "it; by hand: npm ci --no-audit --no-fund --prefix tools/baseline";
  }
  TempDir logs("baseline");
  absl::StatusOr<pg::TestDatabase> database = pg::TestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  const int port = FreePort();

  // node from PATH (`tools/dev test` installs Debian's nodejs); env execs it, so the pid is
  // node's own.
  absl::StatusOr<std::unique_ptr<ChildProcess>> server = ChildProcess::Start(
      "baseline", "/usr/bin/env",
      {"node", absl::StrCat(kBaselineDir, "/server.mjs"), absl::StrCat("--port=", port),
       absl::StrCat("--pg=", database->url()), "--pool=4"},
      {}, logs.path());
  ASSERT_TRUE(server.ok()) << server.status();
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!Answers(port) && (*server)->Running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(Answers(port)) << "the baseline did not answer /healthz:\n" << (*server)->Log();

  absl::StatusOr<std::unique_ptr<ChildProcess>> loadgen = ChildProcess::Start(
      "loadgen", LOADGEN_BIN,
      {absl::StrCat("--url=http://127.0.0.1:", port), absl::StrCat("--users=", kUsers), "--rooms=2",
       "--rate=20", "--duration=3", absl::StrCat("--watch=node=", (*server)->pid()), "--json"},
      {}, logs.path());
  ASSERT_TRUE(loadgen.ok()) << loadgen.status();
  std::optional<ExitStatus> finished = (*loadgen)->WaitExit(absl::Seconds(120));
  ASSERT_TRUE(finished.has_value()) << "loadgen did not finish: " << (*loadgen)->LogTail();
  json report = LoadgenReport(**loadgen);
  ASSERT_FALSE(report.is_null()) << "no report in loadgen's output:\n" << (*loadgen)->LogTail();
  SCOPED_TRACE(report.dump(2));

  EXPECT_TRUE(finished->ExitedWith(0)) << finished->ToString();
  EXPECT_EQ(report["passed"], true);
  EXPECT_EQ(report["connections"]["ready"], kUsers);
  EXPECT_GT(report["acked"].get<int>(), 0);
  EXPECT_EQ(report["acked"], report["sent"]);
  EXPECT_EQ(report["send_errors"], 0);
  // Every member of each room got every message once, in seq order.
  EXPECT_GT(report["expected_deliveries"].get<int>(), report["acked"].get<int>());
  EXPECT_EQ(report["received_unique"], report["expected_deliveries"]);
  EXPECT_EQ(report["duplicates"], 0);
  EXPECT_EQ(report["order_violations"], 0);
  EXPECT_EQ(report["unfilled_gaps"], 0);
  // The server's CPU is read from the kernel, as `tools/baseline/run.sh` reports it.
  const json& processes = report["server_cpu"]["processes"];
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(processes[0]["name"], "node");
  EXPECT_EQ(processes[0]["ok"], true);
  EXPECT_GT(processes[0]["cpu_s"].get<double>(), 0.0);

  ExitStatus stopped = (*server)->Stop(SIGTERM);
  EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString() << "\n" << (*server)->LogTail();
}

}  // namespace
}  // namespace chatter::e2e
