// Tests for path-template routing.
#include "gateway/http/router.h"

#include <gtest/gtest.h>

namespace chatter::gateway {
namespace {

HttpHandler Named(std::string* last, std::string name) {
  return [last, name](const HttpRequest&, const RequestContext&, Responder) { *last = name; };
}

void Invoke(const RouteMatch& match) {
  (*match.handler)(HttpRequest{}, RequestContext{}, [](HttpResponse) {});
}

TEST(Router, MatchesTemplatesAndBindsParameters) {
  std::string last;
  Router router;
  router.Add("GET", "/v1/rooms/{room_id}/messages", Named(&last, "list"));
  router.Add("POST", "/v1/rooms/{room_id}/messages", Named(&last, "send"));
  router.Add("PATCH", "/v1/rooms/{room_id}/messages/{message_id}", Named(&last, "edit"));

  auto match = router.Match("PATCH", "/v1/rooms/r1/messages/m9");
  ASSERT_TRUE(match.has_value());
  Invoke(*match);
  EXPECT_EQ(last, "edit");
  EXPECT_EQ(match->route_template, "/v1/rooms/{room_id}/messages/{message_id}");
  EXPECT_EQ(match->path_params.at("room_id"), "r1");
  EXPECT_EQ(match->path_params.at("message_id"), "m9");

  match = router.Match("POST", "/v1/rooms/r1/messages");
  ASSERT_TRUE(match.has_value());
  Invoke(*match);
  EXPECT_EQ(last, "send");
}

TEST(Router, ExactSegmentsBeatParameters) {
  std::string last;
  Router router;
  router.Add("GET", "/v1/users/{user_id}", Named(&last, "by id"));
  router.Add("GET", "/v1/users/me", Named(&last, "me"));
  Invoke(*router.Match("GET", "/v1/users/me"));
  EXPECT_EQ(last, "me");
  Invoke(*router.Match("GET", "/v1/users/u1"));
  EXPECT_EQ(last, "by id");
}

TEST(Router, DistinguishesUnknownPathFromWrongMethod) {
  std::string last;
  Router router;
  router.Add("GET", "/healthz", Named(&last, "health"));
  EXPECT_FALSE(router.Match("POST", "/healthz").has_value());
  EXPECT_EQ(router.AllowedMethods("/healthz"), (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_TRUE(router.AllowedMethods("/nope").empty());
  EXPECT_FALSE(router.Match("GET", "/healthz/extra").has_value());
  EXPECT_EQ(router.Describe(), std::vector<std::string>{"GET /healthz"});
}

}  // namespace
}  // namespace chatter::gateway
