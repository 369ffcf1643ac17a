// RedisPresenceStore against a real Redis. Times are passed in, so expiry is tested without
// waiting: online/offline transitions happen once per user, a sweep claims each expired session
// exactly once even with two stores (two instances) racing, heartbeats keep sessions alive and
// revive claimed ones, and a room's snapshot lists its other live users.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "services/realtime/storage/redis_presence_store.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::realtime {
namespace {

constexpr absl::Duration kTtl = absl::Seconds(45);
const absl::Time kT0 = absl::FromUnixMillis(1795342320123);

class RedisPresenceStoreTest : public ::testing::Test {
 protected:
  absl::StatusOr<OpenResult> Open(const std::string& session, const std::string& user,
                                  absl::Time now = kT0) {
    return store_.OpenSession({session, user}, now, now + kTtl);
  }

  std::string prefix_ = redis::testing::UniquePrefix();
  redis::Client redis_{redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 4};
  RedisPresenceStore store_{redis_, prefix_};
};

TEST_F(RedisPresenceStoreTest, OnlineAndOfflineOncePerUser) {
  absl::StatusOr<OpenResult> first = Open("s1", "u1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->online);
  EXPECT_TRUE(first->revived);
  EXPECT_FALSE(Open("s2", "u1")->online);   // Second session: already online.
  EXPECT_FALSE(Open("s1", "u1")->revived);  // Known session: a refresh.
  ASSERT_TRUE(store_.JoinRoom("u1", "r1", kT0, 100).ok());

  absl::StatusOr<std::optional<OfflineTransition>> closed =
      store_.CloseSession("s1", kT0 + absl::Seconds(1));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_FALSE(closed->has_value());  // s2 is still live.
  closed = store_.CloseSession("s2", kT0 + absl::Seconds(2));
  ASSERT_TRUE(closed.ok());
  ASSERT_TRUE(closed->has_value());
  EXPECT_EQ((*closed)->user_id, "u1");
  EXPECT_EQ((*closed)->last_seen, kT0 + absl::Seconds(2));
  EXPECT_EQ((*closed)->room_ids, std::vector<std::string>{"r1"});
  EXPECT_FALSE(store_.CloseSession("s2", kT0 + absl::Seconds(3))->has_value());  // Idempotent.

  absl::StatusOr<std::vector<UserPresence>> presence =
      store_.Get({"u1", "never-seen"}, kT0 + absl::Seconds(3));
  ASSERT_TRUE(presence.ok());
  EXPECT_FALSE((*presence)[0].online);
  EXPECT_EQ((*presence)[0].last_seen, kT0 + absl::Seconds(2));
  EXPECT_FALSE((*presence)[1].online);
  EXPECT_FALSE((*presence)[1].last_seen.has_value());
}

TEST_F(RedisPresenceStoreTest, ASessionOfAnotherUserIsRefused) {
  ASSERT_TRUE(Open("s1", "u1").ok());
  EXPECT_EQ(Open("s1", "u2").status().code(), absl::StatusCode::kInternal);
}

TEST_F(RedisPresenceStoreTest, JoinNeedsALiveSessionAndListsOtherLiveUsers) {
  absl::StatusOr<JoinResult> nobody = store_.JoinRoom("u1", "r1", kT0, 100);
  ASSERT_TRUE(nobody.ok()) << nobody.status();
  EXPECT_FALSE(nobody->joined);

  ASSERT_TRUE(Open("s1", "u1").ok());
  ASSERT_TRUE(Open("s2", "u2", kT0 + absl::Seconds(5)).ok());
  ASSERT_TRUE(Open("s3", "u3").ok());
  ASSERT_TRUE(store_.JoinRoom("u2", "r1", kT0, 100).ok());
  ASSERT_TRUE(store_.JoinRoom("u3", "r1", kT0, 100).ok());
  ASSERT_TRUE(store_.CloseSession("s3", kT0).ok());  // u3 left: no longer in the room.

  absl::StatusOr<JoinResult> joined = store_.JoinRoom("u1", "r1", kT0 + absl::Seconds(6), 100);
  ASSERT_TRUE(joined.ok());
  EXPECT_TRUE(joined->joined);
  EXPECT_TRUE(joined->newly_in_room);
  ASSERT_EQ(joined->online.size(), 1u);
  EXPECT_EQ(joined->online[0].user_id, "u2");
  EXPECT_EQ(joined->online[0].last_seen, kT0 + absl::Seconds(5));  // u2's latest heartbeat.
  EXPECT_FALSE(store_.JoinRoom("u1", "r1", kT0, 100)->newly_in_room);

  // After u2's expiry (not yet swept) u2 no longer counts as online.
  absl::StatusOr<JoinResult> later = store_.JoinRoom("u1", "r1", kT0 + absl::Seconds(51), 100);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->joined);  // u1 expired too.
  ASSERT_TRUE(Open("s1", "u1", kT0 + absl::Seconds(51)).ok());
  later = store_.JoinRoom("u1", "r1", kT0 + absl::Seconds(51), 100);
  EXPECT_TRUE(later->online.empty());
  EXPECT_EQ(store_.JoinRoom("u1", "r1", kT0, 0)->online.size(), 0u);  // Limit 0: no snapshot.
}

TEST_F(RedisPresenceStoreTest, TwoStoresSweepingClaimEachExpiredSessionOnce) {
  RedisPresenceStore other{redis_, prefix_};  // A second instance on the same Redis.
  constexpr int kUsers = 60;
  for (int user = 0; user < kUsers; ++user) {
    for (int session = 0; session < 3; ++session) {
      std::string user_id = absl::StrCat("u", user);
      ASSERT_TRUE(Open(absl::StrCat("s", user, "-", session), user_id).ok());
    }
    ASSERT_TRUE(store_.JoinRoom(absl::StrCat("u", user), "r1", kT0, 0).ok());
  }
  ASSERT_TRUE(Open("live", "u-live", kT0 + absl::Minutes(1)).ok());

  absl::Time later = kT0 + kTtl + absl::Seconds(1);
  std::vector<OfflineTransition> first_offline, second_offline;
  auto sweep = [later](RedisPresenceStore& store, std::vector<OfflineTransition>& offline) {
    while (true) {
      absl::StatusOr<PresenceStore::Sweep> batch = store.ClaimExpired(later, 7);
      ASSERT_TRUE(batch.ok()) << batch.status();
      offline.insert(offline.end(), batch->offline.begin(), batch->offline.end());
      if (batch->examined < 7) return;
    }
  };
  std::thread racer([&] { sweep(other, second_offline); });
  sweep(store_, first_offline);
  racer.join();

  std::vector<std::string> users;
  for (const auto* offline : {&first_offline, &second_offline}) {
    for (const OfflineTransition& transition : *offline) {
      users.push_back(transition.user_id);
      EXPECT_EQ(transition.last_seen, kT0);  // The last heartbeat.
      EXPECT_EQ(transition.room_ids, std::vector<std::string>{"r1"});
    }
  }
  std::sort(users.begin(), users.end());
  EXPECT_EQ(users.size(), static_cast<size_t>(kUsers));
  EXPECT_EQ(std::unique(users.begin(), users.end()), users.end());  // Each user exactly once.
  absl::StatusOr<PresenceStore::Sweep> again = store_.ClaimExpired(later, 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->examined, 0u);
  EXPECT_TRUE((*store_.Get({"u-live"}, later))[0].online);
}

TEST_F(RedisPresenceStoreTest, HeartbeatsKeepSessionsAndReviveClaimedOnes) {
  ASSERT_TRUE(Open("s1", "u1").ok());
  ASSERT_TRUE(Open("s2", "u2").ok());
  // A heartbeat of s1 before its expiry keeps it past the sweep.
  absl::Time beat = kT0 + absl::Seconds(30);
  auto refreshed = store_.OpenSessions({{"s1", "u1"}}, beat, beat + kTtl);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_FALSE((*refreshed)[0]->revived);
  absl::Time later = kT0 + kTtl + absl::Seconds(1);
  absl::StatusOr<PresenceStore::Sweep> sweep = store_.ClaimExpired(later, 100);
  ASSERT_TRUE(sweep.ok());
  ASSERT_EQ(sweep->offline.size(), 1u);
  EXPECT_EQ(sweep->offline[0].user_id, "u2");

  // u2's gateway was only silent: its next heartbeat opens the session again, online.
  auto revived = store_.OpenSessions({{"s1", "u1"}, {"s2", "u2"}}, later, later + kTtl);
  ASSERT_TRUE(revived.ok());
  EXPECT_FALSE((*revived)[0]->revived);
  EXPECT_TRUE((*revived)[1]->revived);
  EXPECT_TRUE((*revived)[1]->online);
  absl::StatusOr<std::vector<UserPresence>> presence = store_.Get({"u1", "u2"}, later);
  EXPECT_TRUE((*presence)[0].online);
  EXPECT_TRUE((*presence)[1].online);
  EXPECT_EQ((*presence)[1].last_seen, later);
}

TEST_F(RedisPresenceStoreTest, PrefixesSeparateStacks) {
  RedisPresenceStore elsewhere{redis_, redis::testing::UniquePrefix()};
  ASSERT_TRUE(Open("s1", "u1").ok());
  EXPECT_FALSE((*elsewhere.Get({"u1"}, kT0))[0].online);
  EXPECT_EQ(elsewhere.ClaimExpired(kT0 + absl::Hours(1), 100)->examined, 0u);
}

TEST(RedisPresenceStoreDown, UnavailableWhenRedisIsDown) {
  redis::Client down(redis::testing::UnreachableEndpoint(), redis::ConnectionOptions{}, 1);
  RedisPresenceStore store{down, "x:"};
  EXPECT_EQ(store.OpenSession({"s", "u"}, kT0, kT0 + kTtl).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.ClaimExpired(kT0, 1).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::realtime
