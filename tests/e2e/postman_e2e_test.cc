// The Postman collection (tools/postman/) run by newman against the real stack, twice, as a
// developer would run it against `tools/dev up`: every request's assertions, and the
// collection's check of every response against the OpenAPI document, must pass.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/stack.h"

#ifndef CHATTER_NEWMAN
#error "CHATTER_NEWMAN (path of the newman binary) must be defined by CMake"
#endif
#ifndef CHATTER_POSTMAN_COLLECTION
#error "CHATTER_POSTMAN_COLLECTION must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

using nlohmann::json;

// CHATTER_NEWMAN in the environment wins over the path CMake configured.
std::string NewmanPath() {
  const char* from_env = std::getenv("CHATTER_NEWMAN");
  return from_env != nullptr && *from_env != '\0' ? from_env : CHATTER_NEWMAN;
}

json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

// How many requests the collection holds (folders nest them).
int CountRequests(const json& items) {
  int count = 0;
  for (const json& item : items) {
    count += item.contains("item") ? CountRequests(item["item"]) : 1;
  }
  return count;
}

TEST(PostmanE2eTest, NewmanRunsTheCollectionTwiceAgainstOneStack) {
  const std::string newman = NewmanPath();
  ASSERT_TRUE(std::filesystem::exists(newman))
      << "newman is not installed at " << newman
      << ". `tools/dev test` installs it (npm ci in tools/postman); by hand: "
      << "npm ci --no-audit --no-fund --prefix tools/postman. CHATTER_NEWMAN may name another.";
  json collection = ReadJsonFile(CHATTER_POSTMAN_COLLECTION);
  ASSERT_TRUE(collection.is_object()) << "cannot read " << CHATTER_POSTMAN_COLLECTION;
  const int requests = CountRequests(collection.at("item"));
  ASSERT_GT(requests, 40);

  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();

  // Twice: the collection makes its names unique per run, so it must pass again on the same data.
  for (int run = 1; run <= 2; ++run) {
    SCOPED_TRACE(absl::StrCat("newman run ", run));
    std::string report = absl::StrCat((*stack)->log_dir(), "/newman-run", run, ".json");
    absl::StatusOr<std::unique_ptr<ChildProcess>> process =
        ChildProcess::Start(absl::StrCat("newman-run", run), newman,
                            {"run", CHATTER_POSTMAN_COLLECTION, "--env-var",
                             absl::StrCat("base_url=", (*stack)->gateway_url()), "--bail",
                             "--color", "off", "--disable-unicode", "--timeout-request", "10000",
                             "--reporters", "cli,json", "--reporter-json-export", report},
                            {}, (*stack)->log_dir());
    ASSERT_TRUE(process.ok()) << process.status();
    std::optional<ExitStatus> exit = (*process)->WaitExit(absl::Minutes(3));
    if (!exit) exit = (*process)->Stop(SIGTERM, absl::Seconds(5));
    ASSERT_TRUE(exit->ExitedWith(0)) << "newman " << exit->ToString() << ":\n"
                                     << (*process)->Log() << "\ngateway log tail:\n"
                                     << (*stack)->process(Component::kGateway).LogTail(20);

    // Exit code 0 with nothing run would prove nothing: every request ran, every assertion held.
    json summary = ReadJsonFile(report);
    ASSERT_TRUE(summary.is_object()) << "no newman JSON report at " << report;
    const json& stats = summary.at("run").at("stats");
    // Items are the collection's requests; requests also count the scripts' own (pm.sendRequest).
    EXPECT_EQ(stats.at("items").at("total"), requests) << (*process)->Log();
    EXPECT_GE(stats.at("requests").at("total").get<int>(), requests);
    EXPECT_EQ(stats.at("requests").at("failed"), 0);
    EXPECT_EQ(stats.at("assertions").at("failed"), 0);
    // At least a status check, X-Request-Id and the OpenAPI check per request.
    EXPECT_GE(stats.at("assertions").at("total").get<int>(), 3 * requests);
  }
  (*stack)->Stop();
}

}  // namespace
}  // namespace chatter::e2e
