// PresenceService on a real Redis store, with fake block relations and a recording bus: who is
// told about a transition, hidden from whom; the snapshot a subscribing session gets; failing
// block lookups publish nothing; sweeping announces a crashed gateway's users once; GetPresence
// hides users who blocked the viewer.
#include <gtest/gtest.h>

#include "services/realtime/domain/presence_service.h"
#include "services/realtime/storage/redis_presence_store.h"
#include "tests/libs/redis/redis_test_support.h"
#include "tests/services/realtime/fakes/fake_block_directory.h"
#include "tests/services/realtime/fakes/manual_clock.h"
#include "tests/services/realtime/fakes/recording_bus.h"
#include "tests/services/realtime/fakes/recording_sink.h"

namespace chatter::realtime {
namespace {

constexpr char kAlice[] = "u-alice";
constexpr char kBob[] = "u-bob";
constexpr char kCarol[] = "u-carol";
constexpr char kRoom[] = "r-1";
const absl::Time kT0 = absl::FromUnixMillis(1795342320000);

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return {items.begin(), items.end()};
}

class PresenceServiceTest : public ::testing::Test {
 protected:
  SessionInfo Session(const std::string& id, const std::string& user) { return {id, user, ""}; }

  std::string prefix_ = redis::testing::UniquePrefix();
  redis::Client redis_{redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 2};
  RedisPresenceStore store_{redis_, prefix_};
  FakeBlockDirectory blocks_;
  RecordingBus bus_;
  ManualClock clock_{kT0};
  metrics::Registry metric_registry_;
  RealtimeMetrics metrics_{metric_registry_};
  PresenceService presence_{
      store_,   blocks_,
      bus_,     clock_,
      metrics_, PresenceOptions{.ttl = absl::Seconds(45), .snapshot_limit = 100, .sweep_batch = 2}};
};

TEST_F(PresenceServiceTest, SubscribingAnnouncesOnceHiddenFromBlockedUsers) {
  blocks_.Block(kAlice, kCarol);  // Alice blocked carol: carol must never see alice.
  presence_.SessionOpened(Session("s1", kAlice));
  EXPECT_TRUE(bus_.presence().empty());  // Online, but no room to tell yet.
  EXPECT_EQ(metrics_.presence_online.Value(), 1);

  presence_.Subscribed(Session("s1", kAlice), kRoom, nullptr);
  std::vector<v1::PresenceEvent> events = bus_.presence();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].presence().user_id(), kAlice);
  EXPECT_EQ(events[0].presence().status(), "online");
  EXPECT_EQ(events[0].presence().last_seen().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_EQ(Strings(events[0].room_ids()), std::vector<std::string>{kRoom});
  EXPECT_EQ(Strings(events[0].hidden_from_user_ids()), std::vector<std::string>{kCarol});

  presence_.SessionOpened(Session("s2", kAlice));
  presence_.Subscribed(Session("s2", kAlice), kRoom, nullptr);
  EXPECT_EQ(bus_.presence().size(), 1u);  // Already known online there.
  EXPECT_EQ(metrics_.presence_online.Value(), 1);
}

TEST_F(PresenceServiceTest, SnapshotListsOtherOnlineUsersButNotBlockers) {
  blocks_.Block(kCarol, kAlice);  // Carol blocked alice: alice must not see carol.
  for (const char* user : {kAlice, kBob, kCarol}) {
    presence_.SessionOpened(Session(absl::StrCat("s-", user), user));
  }
  presence_.Subscribed(Session(absl::StrCat("s-", kBob), kBob), kRoom, nullptr);
  presence_.Subscribed(Session(absl::StrCat("s-", kCarol), kCarol), kRoom, nullptr);
  RecordingSink sink;
  presence_.Subscribed(Session(absl::StrCat("s-", kAlice), kAlice), kRoom, &sink);
  ASSERT_EQ(sink.frames().size(), 1u);
  const v1::PresenceEvent& snapshot = sink.frames()[0]->presence();
  EXPECT_EQ(snapshot.presence().user_id(), kBob);
  EXPECT_EQ(snapshot.presence().status(), "online");
  EXPECT_EQ(Strings(snapshot.user_ids()), std::vector<std::string>{kAlice});
  EXPECT_TRUE(snapshot.room_ids().empty());
}

TEST_F(PresenceServiceTest, FailingBlockLookupsPublishNothing) {
  presence_.SessionOpened(Session("s1", kAlice));
  blocks_.set_failing(true);
  RecordingSink sink;
  presence_.Subscribed(Session("s1", kAlice), kRoom, &sink);
  EXPECT_TRUE(bus_.presence().empty());
  EXPECT_TRUE(sink.frames().empty());
  EXPECT_EQ(metrics_.presence_block_lookup_failures.Value(), 1);
  EXPECT_EQ(presence_.Get({kAlice}, kBob).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(PresenceServiceTest, ClosingTheLastSessionAnnouncesOfflineToItsRooms) {
  presence_.SessionOpened(Session("s1", kAlice));
  presence_.Subscribed(Session("s1", kAlice), kRoom, nullptr);
  clock_.Advance(absl::Seconds(3));
  presence_.SessionClosed(Session("s1", kAlice));
  std::vector<v1::PresenceEvent> events = bus_.presence();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].presence().status(), "offline");
  EXPECT_EQ(events[1].presence().last_seen().seconds(), absl::ToUnixSeconds(kT0) + 3);
  EXPECT_EQ(Strings(events[1].room_ids()), std::vector<std::string>{kRoom});
  EXPECT_EQ(metrics_.presence_offline.Value(), 1);
}

TEST_F(PresenceServiceTest, SweepingAnnouncesACrashedGatewaysUsersOnce) {
  for (const char* user : {kAlice, kBob, kCarol}) {
    presence_.SessionOpened(Session(absl::StrCat("s-", user), user));
    presence_.Subscribed(Session(absl::StrCat("s-", user), user), kRoom, nullptr);
  }
  size_t before = bus_.presence().size();
  clock_.Advance(absl::Seconds(46));
  EXPECT_EQ(presence_.SweepExpired(), 3u);  // Batches of 2: keeps going until done.
  EXPECT_EQ(presence_.SweepExpired(), 0u);
  std::vector<v1::PresenceEvent> events = bus_.presence();
  ASSERT_EQ(events.size(), before + 3);
  for (size_t i = before; i < events.size(); ++i) {
    EXPECT_EQ(events[i].presence().status(), "offline");
    EXPECT_EQ(events[i].presence().last_seen().seconds(), absl::ToUnixSeconds(kT0));
  }
}

TEST_F(PresenceServiceTest, HeartbeatRevivesAClaimedSessionAndRejoinsItsRooms) {
  presence_.SessionOpened(Session("s1", kAlice));
  presence_.Subscribed(Session("s1", kAlice), kRoom, nullptr);
  clock_.Advance(absl::Seconds(46));
  presence_.SweepExpired();
  presence_.Refresh({{Session("s1", kAlice), {kRoom}}}, nullptr);
  std::vector<v1::PresenceEvent> events = bus_.presence();
  ASSERT_EQ(events.size(), 3u);  // online, offline (swept), online again.
  EXPECT_EQ(events[2].presence().status(), "online");
  EXPECT_EQ(Strings(events[2].room_ids()), std::vector<std::string>{kRoom});
  presence_.Refresh({{Session("s1", kAlice), {kRoom}}}, nullptr);  // A plain refresh.
  EXPECT_EQ(bus_.presence().size(), 3u);
}

TEST_F(PresenceServiceTest, GetHidesUsersWhoBlockedTheViewer) {
  blocks_.Block(kAlice, kBob);
  presence_.SessionOpened(Session("s1", kAlice));
  presence_.SessionOpened(Session("s2", kCarol));
  presence_.SessionClosed(Session("s2", kCarol));
  absl::StatusOr<std::vector<v1::Presence>> seen = presence_.Get({kAlice, kCarol, "u-x"}, kBob);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ((*seen)[0].status(), "offline");  // Alice blocked bob.
  EXPECT_FALSE((*seen)[0].has_last_seen());
  EXPECT_EQ((*seen)[1].status(), "offline");
  EXPECT_TRUE((*seen)[1].has_last_seen());
  EXPECT_FALSE((*seen)[2].has_last_seen());
  absl::StatusOr<std::vector<v1::Presence>> trusted = presence_.Get({kAlice}, "");
  EXPECT_EQ((*trusted)[0].status(), "online");
  EXPECT_TRUE((*trusted)[0].has_last_seen());
}

}  // namespace
}  // namespace chatter::realtime
