// A gateway restart under sends loses nothing for clients that come back (issue "Gateway"):
// the load generator holds sessions in several rooms and sends through the gateway; the gateway
// gets SIGTERM mid-run, closes every session with 1012 and exits cleanly, and a new one takes
// its port. Each session reconnects with jittered backoff, subscribes again with since_seq and
// sends its unanswered messages again under the same client_msg_id; every acked message must
// then have reached every member exactly once, in seq order.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/metrics_text.h"
#include "tests/e2e/harness/stack.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

constexpr int kUsers = 40;

double OpenSessions(Stack& stack) {
  absl::StatusOr<HttpReply> metrics =
      HttpGet(stack.admin_port(Component::kGateway), "/metrics", {}, absl::Seconds(5));
  if (!metrics.ok()) return -1;
  return Sample(metrics->body, "ws_sessions").value_or(0);
}

// loadgen's --json report: the last JSON line of its output that has "passed".
absl::StatusOr<json> LoadgenReport(const ChildProcess& loadgen) {
  std::vector<json> lines = loadgen.JsonLogLines();
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (line->contains("passed")) return *line;
  }
  return absl::NotFoundError(absl::StrCat("no report in loadgen's output:\n", loadgen.LogTail()));
}

TEST(GatewayRestartE2eTest, SessionsCutOffBySigtermResumeAndLoseNothing) {
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;

  absl::StatusOr<std::unique_ptr<ChildProcess>> loadgen = ChildProcess::Start(
      "loadgen", LOADGEN_BIN,
      {absl::StrCat("--url=http://127.0.0.1:", stack.gateway_port()),
       absl::StrCat("--users=", kUsers), "--rooms=4", "--rate=60", "--duration=8", "--drain=20",
       "--ws-connect-rate=200", "--reconnect-give-up=30", "--json"},
      {}, stack.log_dir());
  ASSERT_TRUE(loadgen.ok()) << loadgen.status();

  // Every session is up, then sending is under way when the gateway is told to stop.
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (OpenSessions(stack) < kUsers && absl::Now() < deadline && (*loadgen)->Running()) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(OpenSessions(stack), kUsers) << (*loadgen)->LogTail();
  absl::SleepFor(absl::Seconds(2));
  ExitStatus stopped = stack.Kill(Component::kGateway, SIGTERM);
  EXPECT_TRUE(stopped.ExitedWith(0)) << stopped.ToString();
  absl::SleepFor(absl::Milliseconds(500));  // Clients meanwhile find the port closed.
  ASSERT_TRUE(stack.Restart(Component::kGateway).ok());

  std::optional<ExitStatus> finished = (*loadgen)->WaitExit(absl::Seconds(90));
  ASSERT_TRUE(finished.has_value()) << "loadgen did not finish: " << (*loadgen)->LogTail();
  absl::StatusOr<json> report = LoadgenReport(**loadgen);
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->dump(2));
  // Every session was cut off by the restart, with 1012, and came back.
  EXPECT_EQ((*report)["connections"]["interruptions"].value("1012", 0), kUsers);
  EXPECT_EQ((*report)["connections"]["resumed"], kUsers);
  EXPECT_EQ((*report)["connections"]["unexpected_closes"], 0);
  // Nothing lost, nothing twice, nothing out of order, every send answered.
  EXPECT_GT((*report)["acked"].get<int>(), 0);
  EXPECT_EQ((*report)["acked"], (*report)["sent"]);
  EXPECT_EQ((*report)["send_errors"], 0);
  EXPECT_EQ((*report)["unacked"], 0);
  EXPECT_EQ((*report)["received_unique"], (*report)["expected_deliveries"]);
  EXPECT_EQ((*report)["duplicates"], 0);
  EXPECT_EQ((*report)["order_violations"], 0);
  EXPECT_EQ((*report)["unfilled_gaps"], 0);
  EXPECT_TRUE(finished->ExitedWith(0)) << finished->ToString();
  stack.Stop();
}

}  // namespace
}  // namespace chatter::e2e
