// Tests for typed, validated environment settings.
#include "libs/config/config_reader.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace chatter::config {
namespace {

using Values = absl::flat_hash_map<std::string, std::string>;

TEST(ConfigReader, DefaultsApplyWhenUnset) {
  MapEnv env(Values{});
  ConfigReader reader(env);
  EXPECT_EQ(reader.String("CHATTER_LOG_LEVEL", "info"), "info");
  EXPECT_EQ(reader.Int("CHATTER_DB_POOL_SIZE", 8, 1, 256), 8);
  EXPECT_EQ(reader.Millis("CHATTER_SHUTDOWN_GRACE_MS", 10000, 0, 600000), absl::Seconds(10));
  EXPECT_EQ(reader.HostPort("CHATTER_GRPC_LISTEN", "127.0.0.1:50051"), "127.0.0.1:50051");
  EXPECT_TRUE(reader.status().ok());
}

TEST(ConfigReader, EmptyValueMeansUnset) {
  MapEnv env(Values{{"CHATTER_DB_POOL_SIZE", "  "}});
  ConfigReader reader(env);
  EXPECT_EQ(reader.Int("CHATTER_DB_POOL_SIZE", 8, 1, 256), 8);
  EXPECT_TRUE(reader.status().ok());
}

TEST(ConfigReader, ARemovedSettingStopsTheStartNamingItsReplacement) {
  MapEnv unset(Values{});
  ConfigReader quiet(unset);
  quiet.Removed("CHATTER_OLD", "CHATTER_NEW");
  EXPECT_TRUE(quiet.status().ok());

  MapEnv env(Values{{"CHATTER_OLD", "15000"}});
  ConfigReader reader(env);
  reader.Removed("CHATTER_OLD", "CHATTER_NEW");
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(), "CHATTER_OLD: is no longer read; use CHATTER_NEW");
}

TEST(ConfigReader, AnOptionalRedisUrlMayBeUnsetButNotWrong) {
  MapEnv unset(Values{});
  ConfigReader quiet(unset);
  EXPECT_EQ(quiet.OptionalRedisUrl("CHATTER_REDIS_URL"), "");
  EXPECT_TRUE(quiet.status().ok());

  MapEnv wrong(Values{{"CHATTER_REDIS_URL", "http://redis:6379"}});
  ConfigReader reader(wrong);
  reader.OptionalRedisUrl("CHATTER_REDIS_URL");
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConfigReader, BadIntegerNamesTheVariable) {
  MapEnv env(Values{{"CHATTER_DB_POOL_SIZE", "lots"}});
  ConfigReader reader(env);
  reader.Int("CHATTER_DB_POOL_SIZE", 8, 1, 256);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(),
            "CHATTER_DB_POOL_SIZE: must be an integer in [1, 256], got \"lots\"");
}

TEST(ConfigReader, OutOfRangeIsAnError) {
  MapEnv env(Values{{"CHATTER_DB_POOL_SIZE", "0"}});
  ConfigReader reader(env);
  reader.Int("CHATTER_DB_POOL_SIZE", 8, 1, 256);
  EXPECT_FALSE(reader.status().ok());
}

TEST(ConfigReader, FirstErrorWins) {
  MapEnv env(Values{{"A", "x"}, {"B", "y"}});
  ConfigReader reader(env);
  reader.Int("A", 1, 0, 9);
  reader.Int("B", 1, 0, 9);
  EXPECT_TRUE(absl::StartsWith(reader.status().message(), "A:"));
}

TEST(ConfigReader, MissingRequiredUrlIsAnError) {
  MapEnv env(Values{});
  ConfigReader reader(env);
  reader.PostgresUrl("CHATTER_DATABASE_URL");
  EXPECT_EQ(reader.status().message(), "CHATTER_DATABASE_URL: is required");
}

TEST(ConfigReader, WrongSchemeNeverEchoesTheSecretValue) {
  MapEnv env(Values{{"CHATTER_DATABASE_URL", "mysql://u:hunter2@h/db"}});
  ConfigReader reader(env);
  reader.PostgresUrl("CHATTER_DATABASE_URL");
  EXPECT_FALSE(reader.status().ok());
  EXPECT_EQ(std::string(reader.status().message()).find("hunter2"), std::string::npos);
  EXPECT_EQ(reader.Effective().at("CHATTER_DATABASE_URL"), "mysql://u:***@h/db");
}

TEST(ConfigReader, EffectiveMasksSecrets) {
  MapEnv env(Values{{"CHATTER_DATABASE_URL", "postgresql://chat:s3cret@127.0.0.1:5432/chat"},
                    {"CHATTER_SERVICE_SECRET", "topsecret"}});
  ConfigReader reader(env);
  EXPECT_EQ(reader.PostgresUrl("CHATTER_DATABASE_URL"),
            "postgresql://chat:s3cret@127.0.0.1:5432/chat");
  EXPECT_EQ(reader.Secret("CHATTER_SERVICE_SECRET"), "topsecret");
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(reader.Effective().at("CHATTER_DATABASE_URL"),
            "postgresql://chat:***@127.0.0.1:5432/chat");
  EXPECT_EQ(reader.Effective().at("CHATTER_SERVICE_SECRET"), "***");
}

TEST(ConfigReader, HostPortValidation) {
  MapEnv env(Values{{"GOOD6", "[::1]:9000"}, {"BAD", "localhost"}, {"BADPORT", "h:70000"}});
  ConfigReader reader(env);
  reader.HostPort("GOOD6", "");
  EXPECT_TRUE(reader.status().ok());
  reader.HostPort("BAD", "");
  EXPECT_TRUE(absl::StartsWith(reader.status().message(), "BAD:"));
  EXPECT_FALSE(ParseHostPort("h:70000").has_value());
  EXPECT_FALSE(ParseHostPort(":80").has_value());
  auto parsed = ParseHostPort("0.0.0.0:0");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->host, "0.0.0.0");
  EXPECT_EQ(parsed->port, 0);
}

TEST(ConfigReader, GrpcTargetAcceptsOneAddressAListOrDns) {
  MapEnv env(Values{{"ONE", "realtime.internal:50053"},
                    {"LIST", "127.0.0.1:7001, 127.0.0.1:7002"},
                    {"DNS", "dns:///realtime.internal:50053"},
                    {"NAMES", "a.internal:1,b.internal:2"},
                    {"ZERO", "127.0.0.1:0,127.0.0.1:1"}});
  ConfigReader reader(env);
  EXPECT_EQ(reader.GrpcTarget("ONE", ""), "realtime.internal:50053");
  EXPECT_EQ(reader.GrpcTarget("LIST", ""), "ipv4:127.0.0.1:7001,127.0.0.1:7002");
  EXPECT_EQ(reader.GrpcTarget("DNS", ""), "dns:///realtime.internal:50053");
  EXPECT_EQ(reader.GrpcTarget("UNSET", "127.0.0.1:50053"), "127.0.0.1:50053");
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_EQ(reader.Effective().at("LIST"), "127.0.0.1:7001, 127.0.0.1:7002");
  reader.GrpcTarget("NAMES", "");
  EXPECT_TRUE(absl::StartsWith(reader.status().message(), "NAMES:")) << reader.status();

  ConfigReader zero_port(env);
  zero_port.GrpcTarget("ZERO", "");
  EXPECT_TRUE(absl::StartsWith(zero_port.status().message(), "ZERO:")) << zero_port.status();
}

TEST(ConfigReader, EnumAndList) {
  MapEnv env(Values{{"LEVEL", "DEBUG"}, {"ORIGINS", " http://a , ,http://b "}, {"BAD", "loud"}});
  ConfigReader reader(env);
  EXPECT_EQ(reader.Enum("LEVEL", "info", {"debug", "info"}), "debug");
  EXPECT_EQ(reader.List("ORIGINS", ""), (std::vector<std::string>{"http://a", "http://b"}));
  EXPECT_TRUE(reader.status().ok());
  reader.Enum("BAD", "info", {"debug", "info"});
  EXPECT_EQ(reader.status().message(), "BAD: must be one of debug, info, got \"loud\"");
}

TEST(ConfigReader, Bool) {
  MapEnv env(Values{{"YES", "true"}, {"NO", "0"}, {"WHAT", "maybe"}});
  ConfigReader reader(env);
  EXPECT_TRUE(reader.Bool("YES", false));
  EXPECT_FALSE(reader.Bool("NO", true));
  EXPECT_TRUE(reader.status().ok());
  reader.Bool("WHAT", false);
  EXPECT_FALSE(reader.status().ok());
}

TEST(MaskUrlPassword, MasksUserinfoAndQueryPasswords) {
  EXPECT_EQ(MaskUrlPassword("postgresql://u:p@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(MaskUrlPassword("redis://:pw@h:6379/0"), "redis://:***@h:6379/0");
  EXPECT_EQ(MaskUrlPassword("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(MaskUrlPassword("postgresql://h/db?user=u&password=p&sslmode=require"),
            "postgresql://h/db?user=u&password=***&sslmode=require");
  EXPECT_EQ(MaskUrlPassword("not a url with secret"), "***");
  EXPECT_EQ(MaskUrlPassword("postgresql://u:p@ss@h/db"), "postgresql://u:***@h/db");
}

}  // namespace
}  // namespace chatter::config
