// Tests for the load generator's option parsing and validation.
#include "tools/loadgen/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/flags/reflection.h"

namespace chatter::loadgen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Parses `args` (argv[0] included) with the real absl flags, restoring them afterwards.
absl::StatusOr<Options> Parse(std::vector<std::string> args, uint64_t random_bits = 42) {
  absl::FlagSaver restore_flags;
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), random_bits);
}

Options ValidOptions() {
  Options options;
  options.password = "long-enough";
  options.prefix = "lgtest";
  return options;
}

TEST(NormalizeFlagNamesTest, TurnsDashesInFlagNamesIntoUnderscores) {
  EXPECT_THAT(NormalizeFlagNames({"loadgen", "--ws-connect-rate=5", "--prefix=my-run",
                                  "-min-completeness", "99.5", "--json", "--", "--not-a-flag"}),
              ElementsAre("loadgen", "--ws_connect_rate=5", "--prefix=my-run", "-min_completeness",
                          "99.5", "--json", "--", "--not-a-flag"));
}

TEST(ParseBaseUrlTest, SplitsHostPortAndPrefix) {
  absl::StatusOr<BaseUrl> url = ParseBaseUrl("http://gateway.local:8080/api/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "gateway.local");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path_prefix, "/api");
  EXPECT_EQ(url->HostHeader(), "gateway.local:8080");
}

TEST(ParseBaseUrlTest, DefaultsToPort80AndAcceptsWsAndIpv6) {
  absl::StatusOr<BaseUrl> plain = ParseBaseUrl("ws://example.com");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->path_prefix, "");
  EXPECT_EQ(plain->HostHeader(), "example.com");

  absl::StatusOr<BaseUrl> v6 = ParseBaseUrl("http://[::1]:9000");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->HostHeader(), "[::1]:9000");
}

TEST(ParseBaseUrlTest, RejectsWhatItCannotSpeak) {
  EXPECT_THAT(ParseBaseUrl("https://example.com").status().message(), HasSubstr("TLS"));
  EXPECT_THAT(ParseBaseUrl("example.com:80").status().message(), HasSubstr("http://"));
  EXPECT_THAT(ParseBaseUrl("http://:80").status().message(), HasSubstr("no host"));
  EXPECT_THAT(ParseBaseUrl("http://h:0").status().message(), HasSubstr("bad port"));
  EXPECT_THAT(ParseBaseUrl("http://h:70000").status().message(), HasSubstr("bad port"));
  EXPECT_THAT(ParseBaseUrl("http://h:").status().message(), HasSubstr("empty port"));
  EXPECT_THAT(ParseBaseUrl("http://h/x?y=1").status().message(), HasSubstr("query"));
}

TEST(ParseOptionsTest, DefaultsAreTheDocumentedOnes) {
  absl::StatusOr<Options> options = Parse({"loadgen"}, /*random_bits=*/7);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->url.host, "127.0.0.1");
  EXPECT_EQ(options->url.port, 8080);
  EXPECT_EQ(options->users, 1000);
  EXPECT_EQ(options->rooms, 20);
  EXPECT_EQ(options->rate, 200);
  EXPECT_EQ(options->duration, absl::Seconds(20));
  EXPECT_EQ(options->warmup, absl::ZeroDuration());
  EXPECT_EQ(options->drain, absl::Seconds(5));
  EXPECT_EQ(options->threads, 2);
  EXPECT_EQ(options->signup_parallelism, 8);
  EXPECT_EQ(options->min_completeness, 100);
  EXPECT_EQ(options->max_errors, 0);
  EXPECT_EQ(options->prefix, RandomPrefix(7));
  EXPECT_NE(options->seed, 0u);
  EXPECT_FALSE(options->json);
}

TEST(ParseOptionsTest, ReadsDashedAndUnderscoredSpellings) {
  absl::StatusOr<Options> options =
      Parse({"loadgen", "--url=http://10.0.0.5:9090", "--users=50", "--rooms=5", "--rate=12.5",
             "--duration=3", "--warmup=1.5", "--threads=4", "--ws-connect-rate=25",
             "--signup_parallelism=3", "--prefix=run-1", "--min-completeness=99.5", "--json",
             "--seed=9"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->url.host, "10.0.0.5");
  EXPECT_EQ(options->url.port, 9090);
  EXPECT_EQ(options->users, 50);
  EXPECT_EQ(options->rooms, 5);
  EXPECT_EQ(options->rate, 12.5);
  EXPECT_EQ(options->duration, absl::Seconds(3));
  EXPECT_EQ(options->warmup, absl::Milliseconds(1500));
  EXPECT_EQ(options->threads, 4);
  EXPECT_EQ(options->ws_connect_rate, 25);
  EXPECT_EQ(options->signup_parallelism, 3);
  EXPECT_EQ(options->prefix, "run-1");
  EXPECT_EQ(options->min_completeness, 99.5);
  EXPECT_EQ(options->seed, 9u);
  EXPECT_TRUE(options->json);
}

TEST(ParseOptionsTest, FlagsDoNotLeakBetweenParses) {
  ASSERT_TRUE(Parse({"loadgen", "--users=7", "--rooms=7"}).ok());
  absl::StatusOr<Options> options = Parse({"loadgen"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->users, 1000);
}

TEST(ParseOptionsTest, RejectsPositionalArgumentsAndBadValues) {
  EXPECT_THAT(Parse({"loadgen", "200"}).status().message(), HasSubstr("unexpected argument"));
  EXPECT_THAT(Parse({"loadgen", "--users=10", "--rooms=11"}).status().message(),
              HasSubstr("--rooms"));
  EXPECT_THAT(Parse({"loadgen", "--url=https://x"}).status().message(), HasSubstr("TLS"));
}

TEST(ValidateOptionsTest, AcceptsAValidSet) { EXPECT_TRUE(ValidateOptions(ValidOptions()).ok()); }

TEST(ValidateOptionsTest, NamesTheBadOption) {
  struct Case {
    void (*mutate)(Options&);
    const char* flag;
  };
  const Case cases[] = {
      {[](Options& o) { o.users = 0; }, "--users"},
      {[](Options& o) { o.rooms = 0; }, "--rooms"},
      {[](Options& o) { o.rate = -1; }, "--rate"},
      {[](Options& o) { o.sessions_per_user = 0; }, "--sessions_per_user"},
      {[](Options& o) { o.source_addresses = 255; }, "--source_addresses"},
      {[](Options& o) { o.reconnect.give_up_after = absl::ZeroDuration(); }, "--reconnect_give_up"},
      {[](Options& o) { o.duration = absl::ZeroDuration(); }, "--duration"},
      {[](Options& o) { o.warmup = absl::Seconds(-1); }, "--warmup"},
      {[](Options& o) { o.drain = absl::Seconds(-1); }, "--drain"},
      {[](Options& o) { o.threads = 0; }, "--threads"},
      {[](Options& o) { o.password = "short"; }, "--password"},
      {[](Options& o) { o.prefix = "Upper"; }, "--prefix"},
      {[](Options& o) { o.prefix = ""; }, "--prefix"},
      {[](Options& o) { o.ws_connect_rate = -1; }, "--ws_connect_rate"},
      {[](Options& o) { o.connect_timeout = absl::ZeroDuration(); }, "--connect_timeout"},
      {[](Options& o) { o.signup_parallelism = 0; }, "--signup_parallelism"},
      {[](Options& o) { o.http_parallelism = 0; }, "--http_parallelism"},
      {[](Options& o) { o.message_bytes = 4001; }, "--message_bytes"},
      {[](Options& o) { o.min_completeness = 101; }, "--min_completeness"},
      {[](Options& o) { o.max_errors = -1; }, "--max_errors"},
  };
  for (const Case& c : cases) {
    Options options = ValidOptions();
    c.mutate(options);
    absl::Status status = ValidateOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_THAT(status.message(), HasSubstr(c.flag));
  }
}

TEST(ValidateOptionsTest, SeveralSessionsPerUserNeedWholeRooms) {
  Options options = ValidOptions();
  options.users = 100;
  options.rooms = 10;
  options.sessions_per_user = 3;
  EXPECT_TRUE(ValidateOptions(options).ok());
  EXPECT_EQ(options.connections(), 300);
  options.rooms = 7;  // The sessions of a user must land in the user's room.
  EXPECT_THAT(ValidateOptions(options).message(), HasSubstr("multiple of --rooms"));
}

TEST(ValidateOptionsTest, RateZeroMeansIdle) {
  Options options = ValidOptions();
  options.rate = 0;
  EXPECT_TRUE(ValidateOptions(options).ok());
  EXPECT_TRUE(options.idle());
}

TEST(ValidateOptionsTest, UsernamesMustFitTheServerLimit) {
  Options options = ValidOptions();
  options.users = 1000;                   // Largest index 999: 3 digits.
  options.prefix = std::string(28, 'a');  // 28 + '-' + 3 = 32: fits.
  EXPECT_TRUE(ValidateOptions(options).ok());
  options.users = 1001;  // Largest index 1000: 33 characters.
  EXPECT_THAT(ValidateOptions(options).message(), HasSubstr("too long"));
  options.users = 1;
  options.rooms = 1;
  options.prefix = "a";  // "a-0" is the shortest allowed username.
  EXPECT_TRUE(ValidateOptions(options).ok());
}

TEST(RandomPrefixTest, IsAValidAndVaryingUsernamePrefix) {
  std::string a = RandomPrefix(1);
  std::string b = RandomPrefix(2);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 8u);
  Options options = ValidOptions();
  options.prefix = RandomPrefix(0xfedcba9876543210);
  EXPECT_TRUE(ValidateOptions(options).ok()) << options.prefix;
}

}  // namespace
}  // namespace chatter::loadgen
