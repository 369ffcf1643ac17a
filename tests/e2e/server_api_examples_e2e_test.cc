// The server API examples (tools/examples/python, tools/examples/node) run as a platform's
// backend would run them against a real stack: a service token, a bot message, a new member and
// a disconnected user, each checked where users see it (WebSocket events, REST, the close frame).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

#ifndef CHATTER_SOURCE_DIR
#error "CHATTER_SOURCE_DIR (the repository, for tools/examples and proto) must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

using nlohmann::json;

constexpr absl::Duration kWait = absl::Seconds(10);
const std::string kExamples = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/examples");

// `name` as execvp would find it on PATH; "" when it is nowhere.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path == nullptr ? "" : path, ':')) {
    std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// The interpreter for the Python example: CHATTER_EXAMPLE_PYTHON, else Debian's python3 (the one
// tools/dev installs python3-grpcio for; a pyenv or venv python3 earlier on PATH lacks it), else
// python3 from PATH.
std::string PythonInterpreter() {
  const char* from_env = std::getenv("CHATTER_EXAMPLE_PYTHON");
  if (from_env != nullptr && *from_env != '\0') return from_env;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return FindOnPath("python3");
}

class ServerApiExamplesE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack({.env = {{Component::kChat,
                               {{"CHATTER_CHAT_ADMIN_ACL",
                                 absl::StrCat(kPlatformPrincipal.client_id, "=*")}}}}});
  }

  // Runs one example (`interpreter script`) with the CLI both share, against this suite's stack,
  // and checks what users see: the owner's WebSocket gets the bot message and the new member,
  // REST lists the member, the disconnected user's WebSocket is closed with 1008 and the reason.
  void RunExampleAndCheckItsEffects(const std::string& name, const std::string& interpreter,
                                    const std::string& script) {
    ApiUser owner = SignUpUser(port(), absl::StrCat(name, "_owner"));
    ApiUser newcomer = SignUpUser(port(), absl::StrCat(name, "_newcomer"));
    ApiUser troublemaker = SignUpUser(port(), absl::StrCat(name, "_troublemaker"));
    std::string room = CreateRoomAs(port(), owner, "examples", "private").value("id", "");
    ASSERT_FALSE(room.empty());
    std::unique_ptr<WsClient> owner_ws = OpenUserSession(port(), owner, room);
    std::unique_ptr<WsClient> troublemaker_ws = OpenUserSession(port(), troublemaker);
    ASSERT_NE(owner_ws, nullptr);
    ASSERT_NE(troublemaker_ws, nullptr);

    const std::string text = absl::StrCat("hello from the ", name, " example");
    const std::string reason = absl::StrCat(name, " example: policy violation");
    absl::StatusOr<std::unique_ptr<ChildProcess>> example = ChildProcess::Start(
        absl::StrCat(name, "-example"), interpreter,
        {script, "--auth", stack().grpc_address(Component::kAuth), "--chat",
         stack().grpc_address(Component::kChat), "--client-id", kPlatformPrincipal.client_id,
         "--room", room, "--text", text, "--add-member", newcomer.id, "--disconnect",
         troublemaker.id, "--reason", reason},
        // The secret from the environment, as the examples recommend; the Python stubs are
        // generated into the test's own directory, not the user's cache.
        {{"CHATTER_EXAMPLE_CLIENT_SECRET", kPlatformPrincipal.secret},
         {"XDG_CACHE_HOME", absl::StrCat(stack().log_dir(), "/cache")}},
        stack().log_dir());
    ASSERT_TRUE(example.ok()) << example.status();
    std::optional<ExitStatus> exit = (*example)->WaitExit(absl::Seconds(60));
    if (!exit) exit = (*example)->Stop(SIGTERM, absl::Seconds(5));
    ASSERT_TRUE(exit->ExitedWith(0)) << name << " example " << exit->ToString() << ":\n"
                                     << (*example)->Log() << "\nchat-svc log tail:\n"
                                     << stack().process(Component::kChat).LogTail(20);

    // One JSON line per step, in order.
    std::vector<json> steps = (*example)->JsonLogLines();
    ASSERT_EQ(steps.size(), 4u) << (*example)->Log();
    EXPECT_EQ(steps[0]["step"], "issue_service_token");
    EXPECT_GT(steps[0].value("expires_in", 0), 0) << steps[0];
    EXPECT_EQ(steps[1]["step"], "post_message");
    EXPECT_EQ(steps[1]["sender_kind"], "bot") << steps[1];
    EXPECT_EQ(steps[1]["seq"], 1) << steps[1];
    EXPECT_EQ(steps[2]["step"], "add_member");
    EXPECT_EQ(steps[2]["created"], true) << steps[2];
    EXPECT_EQ(steps[2]["role"], "member") << steps[2];
    EXPECT_EQ(steps[3]["step"], "disconnect_user");
    EXPECT_EQ(steps[3]["close_code"], 1008) << steps[3];

    // The owner sees the bot message live, then the new member.
    absl::StatusOr<json> message = owner_ws->NextEvent("receive_message", kWait);
    ASSERT_TRUE(message.ok()) << message.status();
    EXPECT_EQ((*message)["data"]["content"], text) << *message;
    EXPECT_EQ((*message)["data"]["sender_kind"], "bot") << *message;
    EXPECT_EQ((*message)["data"]["id"], steps[1]["message_id"]) << *message;
    absl::StatusOr<json> joined = owner_ws->NextEvent("member_joined", kWait);
    ASSERT_TRUE(joined.ok()) << joined.status();
    EXPECT_EQ((*joined)["data"]["room_id"], room) << *joined;
    EXPECT_EQ((*joined)["data"]["user_id"], newcomer.id) << *joined;

    ApiReply members = CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room, "/members"), owner);
    ASSERT_EQ(members.status, 200) << members.body;
    bool listed = false;
    for (const json& member : members.body.value("members", json::array())) {
      if (member.value("user_id", "") == newcomer.id) listed = member.value("role", "") == "member";
    }
    EXPECT_TRUE(listed) << members.body;

    absl::StatusOr<WsClosed> closed = troublemaker_ws->WaitClosed(kWait);
    ASSERT_TRUE(closed.ok()) << closed.status();
    EXPECT_EQ(closed->code, 1008);
    EXPECT_EQ(closed->reason, reason);
  }
};

TEST_F(ServerApiExamplesE2eTest, PythonExamplePostsAddsAndDisconnects) {
  const std::string python = PythonInterpreter();
  ASSERT_FALSE(python.empty()) << "no python3 (CHATTER_EXAMPLE_PYTHON, /usr/bin/python3, PATH)";
  RunExampleAndCheckItsEffects("python", python,
                               absl::StrCat(kExamples, "/python/chatter_admin.py"));
}

TEST_F(ServerApiExamplesE2eTest, NodeExamplePostsAddsAndDisconnects) {
  const std::string node = FindOnPath("node");
  ASSERT_FALSE(node.empty()) << "no node on PATH; `tools/dev test` installs Debian's nodejs";
  // Fails, never skips: `tools/dev test` runs npm ci there first.
  ASSERT_TRUE(std::filesystem::exists(kExamples + "/node/node_modules/@grpc/grpc-js"))
      << "tools/examples/node/node_modules is missing. `tools/dev test` installs it; by hand: "
      << "npm ci --no-audit --no-fund --prefix tools/examples/node";
  RunExampleAndCheckItsEffects("node", node, absl::StrCat(kExamples, "/node/chatter_admin.mjs"));
}

}  // namespace
}  // namespace chatter::e2e
