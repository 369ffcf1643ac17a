// Tests for structured JSON log lines.
#include "libs/log/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace chatter::log {
namespace {

TEST(FormatLine, HasEveryFieldInOrder) {
  absl::Time time = absl::FromUnixMillis(1795342320123);
  std::string line = FormatLine(time, Level::kWarn, "auth-svc", "req-7", "login failed",
                                {{"user_id", "u1"}, {"attempt", 3}});
  EXPECT_EQ(
      line,
      R"({"time":"2026-11-22T10:12:00.123Z","level":"warn","service":"auth-svc",)"
      R"("request_id":"req-7","message":"login failed","fields":{"attempt":3,"user_id":"u1"}})");
}

TEST(FormatLine, OmitsEmptyRequestIdAndFields) {
  std::string line =
      FormatLine(absl::FromUnixMillis(0), Level::kInfo, "s", "", "m", Fields::object());
  EXPECT_EQ(line,
            R"({"time":"1970-01-01T00:00:00.000Z","level":"info","service":"s","message":"m"})");
}

TEST(FormatLine, EscapesAndSurvivesInvalidUtf8) {
  std::string line = FormatLine(absl::FromUnixMillis(0), Level::kInfo, "s", "",
                                "quote \" newline \n bad \xff", Fields::object());
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_NE(line.find("\\\""), std::string::npos);
  EXPECT_NE(line.find("\\n"), std::string::npos);
}

TEST(Log, WritesOneJsonLinePerEventAndFiltersByLevel) {
  std::ostringstream out;
  InitWithSink("chat-svc", Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  Debug("hidden");
  Info("started", {{"version", "1.0"}});
  RequestLog("r-1").Warn("slow");
  std::istringstream lines(out.str());
  std::string first, second, extra;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, extra));
  auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["service"], "chat-svc");
  EXPECT_EQ(a["message"], "started");
  EXPECT_EQ(a["fields"]["version"], "1.0");
  auto b = nlohmann::json::parse(second);
  EXPECT_EQ(b["request_id"], "r-1");
  EXPECT_EQ(b["level"], "warn");
}

// The lines written to `out` so far, parsed.
std::vector<nlohmann::json> Lines(const std::ostringstream& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(ScopedRequestId, LinesWithoutAnIdCarryTheCurrentOneAndScopesNest) {
  std::ostringstream out;
  InitWithSink("chat-svc", Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  EXPECT_EQ(CurrentRequestId(), "");
  Info("before");
  {
    ScopedRequestId outer("req-outer");
    EXPECT_EQ(CurrentRequestId(), "req-outer");
    Warn("storage error");
    {
      ScopedRequestId inner("req-inner");
      Info("nested");
      // An explicit id still wins over the current one.
      Write(Level::kInfo, "req-explicit", "explicit", Fields::object());
    }
    Info("outer again");
  }
  Info("after");
  EXPECT_EQ(CurrentRequestId(), "");

  std::vector<nlohmann::json> lines = Lines(out);
  ASSERT_EQ(lines.size(), 6u) << out.str();
  EXPECT_FALSE(lines[0].contains("request_id")) << lines[0];
  EXPECT_EQ(lines[1]["request_id"], "req-outer");
  EXPECT_EQ(lines[2]["request_id"], "req-inner");
  EXPECT_EQ(lines[3]["request_id"], "req-explicit");
  EXPECT_EQ(lines[4]["request_id"], "req-outer");
  EXPECT_FALSE(lines[5].contains("request_id")) << lines[5];
}

TEST(ScopedRequestId, BelongsToItsThreadOnly) {
  std::ostringstream out;
  InitWithSink("chat-svc", Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  ScopedRequestId scope("req-main");
  std::string seen_by_other = "unset";
  std::thread other([&] {
    seen_by_other = CurrentRequestId();
    Info("from another thread");
  });
  other.join();
  EXPECT_EQ(seen_by_other, "");
  std::vector<nlohmann::json> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out.str();
  EXPECT_FALSE(lines[0].contains("request_id")) << lines[0];
  EXPECT_EQ(CurrentRequestId(), "req-main");
}

TEST(ParseLevel, KnownAndUnknown) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarn);
  EXPECT_EQ(ParseLevel("loud"), std::nullopt);
}

}  // namespace
}  // namespace chatter::log
