// Tests for request id acceptance and generation.
#include "gateway/edge/request_id.h"

#include <gtest/gtest.h>

#include "libs/ids/uuid.h"

namespace chatter::gateway {
namespace {

TEST(RequestId, SaneIdsAreKeptOthersReplaced) {
  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  ids::UuidGenerator generator(clock, random);
  RequestIdSource source(generator);
  EXPECT_EQ(source.ForIncoming("abc-123_X.y:z"), "abc-123_X.y:z");
  for (std::string insane : {std::string(""), std::string("has space"), std::string(129, 'a'),
                             std::string("new\nline"), std::string("quote\"")}) {
    std::string replaced = source.ForIncoming(insane);
    EXPECT_NE(replaced, insane);
    EXPECT_TRUE(ids::IsValidUuid(replaced)) << replaced;
  }
  EXPECT_TRUE(IsSaneRequestId(std::string(128, 'a')));
}

}  // namespace
}  // namespace chatter::gateway
