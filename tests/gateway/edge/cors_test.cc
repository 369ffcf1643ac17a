// Tests for the CORS policy against API.md's CORS section.
#include "gateway/edge/cors.h"

#include <gtest/gtest.h>

namespace chatter::gateway {
namespace {
namespace http = boost::beast::http;

TEST(CorsPolicy, LocalhostWildcardMatchesAnyPortOnly) {
  CorsPolicy cors({"http://localhost:*"});
  EXPECT_EQ(cors.AllowedOrigin("http://localhost:5173"), "http://localhost:5173");
  EXPECT_EQ(cors.AllowedOrigin("http://localhost:80"), "http://localhost:80");
  EXPECT_EQ(cors.AllowedOrigin("http://localhost"), std::nullopt);
  EXPECT_EQ(cors.AllowedOrigin("http://localhost:5173.evil.example"), std::nullopt);
  EXPECT_EQ(cors.AllowedOrigin("https://localhost:5173"), std::nullopt);
  EXPECT_EQ(cors.AllowedOrigin("http://localhost.evil.example:80"), std::nullopt);
}

TEST(CorsPolicy, NothingIsAllowedByDefault) {
  CorsPolicy cors({});
  EXPECT_EQ(cors.AllowedOrigin("http://localhost:3000"), std::nullopt);
}

TEST(CorsPolicy, StarOnlyWhenConfigured) {
  CorsPolicy cors({"*"});
  EXPECT_EQ(cors.AllowedOrigin("https://anything.example"), "*");
  EXPECT_EQ(cors.AllowedOrigin(""), std::nullopt);
}

TEST(CorsPolicy, PreflightCarriesExactlyTheContractHeaders) {
  CorsPolicy cors({"https://app.example"});
  HttpResponse allowed = cors.Preflight("https://app.example");
  EXPECT_EQ(allowed.result_int(), 204);
  EXPECT_EQ(allowed[http::field::access_control_allow_origin], "https://app.example");
  EXPECT_EQ(allowed[http::field::access_control_allow_headers],
            "Content-Type, Authorization, X-Auth-Token, X-Request-Id");
  EXPECT_EQ(allowed[http::field::access_control_allow_methods],
            "GET,POST,PUT,PATCH,DELETE,OPTIONS");
  EXPECT_EQ(allowed[http::field::access_control_max_age], "600");
  EXPECT_EQ(allowed[http::field::vary], "Origin");

  HttpResponse refused = cors.Preflight("https://evil.example");
  for (const auto& field : refused) {
    EXPECT_FALSE(std::string(field.name_string()).starts_with("Access-Control-Allow"))
        << field.name_string();
  }
}

TEST(CorsPolicy, DecorateAddsOriginOnlyWhenAllowed) {
  CorsPolicy cors({"https://app.example"});
  HttpResponse response = TextResponse(200, "ok");
  cors.Decorate("https://app.example", response);
  EXPECT_EQ(response[http::field::access_control_allow_origin], "https://app.example");
  HttpResponse other = TextResponse(200, "ok");
  cors.Decorate("https://evil.example", other);
  EXPECT_EQ(other.count(http::field::access_control_allow_origin), 0u);
  EXPECT_EQ(other[http::field::vary], "Origin");
}

}  // namespace
}  // namespace chatter::gateway
