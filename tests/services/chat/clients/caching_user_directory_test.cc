// The user cache in front of auth-svc: hits skip the directory, entries expire, unknown ids
// are asked again, failures pass through, and the size bound holds.
#include "services/chat/clients/caching_user_directory.h"

#include <gtest/gtest.h>

#include "tests/fakes/chat/fake_user_directory.h"

namespace chatter::chat {
namespace {

constexpr char kAlice[] = "018f0000-0000-7000-8000-00000000000a";
constexpr char kBob[] = "018f0000-0000-7000-8000-00000000000b";
constexpr char kNobody[] = "018f0000-0000-7000-8000-0000000000ff";

class ManualClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return millis; }
  int64_t millis = 1795342320123;
};

class CachingUserDirectoryTest : public ::testing::Test {
 protected:
  CachingUserDirectoryTest() : cache_(inner_, clock_, absl::Minutes(10), 100) {
    inner_.AddUser(kAlice, "alice", "alice@example.com");
    inner_.AddUser(kBob, "bob", "bob@example.com");
  }
  ManualClock clock_;
  FakeUserDirectory inner_;
  CachingUserDirectory cache_;
};

TEST_F(CachingUserDirectoryTest, AnswersFromTheCacheUntilEntriesExpire) {
  auto first = cache_.FindByIds({kAlice, kBob});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->at(kAlice).username, "alice");
  EXPECT_EQ(inner_.calls(), 1);
  auto second = cache_.FindByIds({kBob, kAlice, kAlice});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 2u);
  EXPECT_EQ(inner_.calls(), 1);
  clock_.millis += absl::ToInt64Milliseconds(absl::Minutes(10));
  ASSERT_TRUE(cache_.FindByIds({kAlice}).ok());
  EXPECT_EQ(inner_.calls(), 2);
}

TEST_F(CachingUserDirectoryTest, UnknownIdsAreAskedAgainAndFailuresPassThrough) {
  EXPECT_TRUE(cache_.FindByIds({kNobody})->empty());
  EXPECT_TRUE(cache_.FindByIds({kNobody})->empty());
  EXPECT_EQ(inner_.calls(), 2);
  ASSERT_TRUE(cache_.FindByIds({kAlice}).ok());
  inner_.SetFailure(absl::UnavailableError("down"));
  EXPECT_EQ(cache_.FindByIds({kAlice})->at(kAlice).username, "alice");  // Cached: no call.
  EXPECT_EQ(cache_.FindByIds({kBob}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(CachingUserDirectoryTest, EmailLookupsFillTheIdCache) {
  auto bob = cache_.FindByEmail("BOB@example.com");
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->id, kBob);
  int calls = inner_.calls();
  EXPECT_EQ(cache_.FindByIds({kBob})->at(kBob).username, "bob");
  EXPECT_EQ(inner_.calls(), calls);
  EXPECT_EQ(cache_.FindByEmail("x@example.com").status().code(), absl::StatusCode::kNotFound);
}

TEST(CachingUserDirectoryBoundTest, NeverHoldsMoreThanItsBound) {
  ManualClock clock;
  FakeUserDirectory inner;
  CachingUserDirectory cache(inner, clock, absl::Hours(1), 2);
  inner.AddUser(kAlice, "alice", "a@example.com");
  inner.AddUser(kBob, "bob", "b@example.com");
  inner.AddUser(kNobody, "zed", "z@example.com");
  ASSERT_TRUE(cache.FindByIds({kAlice, kBob}).ok());
  ASSERT_TRUE(cache.FindByIds({kNobody}).ok());  // Full: the cache starts over.
  int calls = inner.calls();
  ASSERT_TRUE(cache.FindByIds({kNobody}).ok());
  EXPECT_EQ(inner.calls(), calls);  // The newest entry is kept.
}

}  // namespace
}  // namespace chatter::chat
