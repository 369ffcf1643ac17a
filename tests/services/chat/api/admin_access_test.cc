// Who may use the server API (CHATTER_CHAT_ADMIN_ACL) and how fast (a bucket per principal).
#include "services/chat/api/admin_access.h"

#include <gtest/gtest.h>

#include <atomic>

namespace chatter::chat {
namespace {

class ManualClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return millis.load(); }
  std::atomic<int64_t> millis{1'800'000'000'000};
};

TEST(AdminAclTest, ListsOperationsPerPrincipal) {
  absl::StatusOr<AdminAcl> acl = AdminAcl::Parse(
      " moderation = post_message | disconnect_user , exporter=export_history,"
      "backoffice=*");
  ASSERT_TRUE(acl.ok()) << acl.status();
  EXPECT_TRUE(acl->Allows("moderation", AdminOperation::kPostMessage));
  EXPECT_TRUE(acl->Allows("moderation", AdminOperation::kDisconnectUser));
  EXPECT_FALSE(acl->Allows("moderation", AdminOperation::kExportHistory));
  EXPECT_TRUE(acl->Allows("exporter", AdminOperation::kExportHistory));
  EXPECT_FALSE(acl->Allows("exporter", AdminOperation::kPostMessage));
  for (AdminOperation operation :
       {AdminOperation::kPostMessage, AdminOperation::kCreateRoom, AdminOperation::kAddMember,
        AdminOperation::kRemoveMember, AdminOperation::kSetMemberRole,
        AdminOperation::kDisconnectUser, AdminOperation::kGetPresence,
        AdminOperation::kExportHistory, AdminOperation::kNotifyUser}) {
    EXPECT_TRUE(acl->Allows("backoffice", operation)) << AdminOperationName(operation);
    EXPECT_EQ(ParseAdminOperation(AdminOperationName(operation)), operation);
  }
  EXPECT_FALSE(acl->Allows("gateway", AdminOperation::kPostMessage));
  EXPECT_FALSE(acl->Allows("", AdminOperation::kPostMessage));
}

TEST(AdminAclTest, AnEmptyListAllowsNobody) {
  absl::StatusOr<AdminAcl> acl = AdminAcl::Parse("");
  ASSERT_TRUE(acl.ok());
  EXPECT_TRUE(acl->empty());
  EXPECT_FALSE(acl->Allows("chat-svc", AdminOperation::kPostMessage));
}

TEST(AdminAclTest, RefusesWhatItCannotRead) {
  for (const char* bad : {"moderation", "moderation=", "=post_message", "a=post_message,a=*",
                          "a=post_mesage", "a=post_message|drop_tables"}) {
    absl::StatusOr<AdminAcl> acl = AdminAcl::Parse(bad);
    EXPECT_EQ(acl.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(PrincipalRateLimiterTest, EachPrincipalHasItsOwnBucket) {
  ManualClock clock;
  PrincipalRateLimiter limiter(/*per_second=*/2, /*burst=*/3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a"), std::nullopt) << i;
  std::optional<absl::Duration> wait = limiter.Take("a");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));
  EXPECT_EQ(limiter.Take("b"), std::nullopt) << "another principal is not slowed";
  clock.millis += 500;
  EXPECT_EQ(limiter.Take("a"), std::nullopt);
  EXPECT_TRUE(limiter.Take("a").has_value());
  clock.millis += 60'000;  // Refills up to the burst, no further.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a"), std::nullopt) << i;
  EXPECT_TRUE(limiter.Take("a").has_value());
}

TEST(PrincipalRateLimiterTest, AClockGoingBackRefillsNothing) {
  ManualClock clock;
  PrincipalRateLimiter limiter(1, 1, clock);
  EXPECT_EQ(limiter.Take("a"), std::nullopt);
  clock.millis -= 10'000;
  EXPECT_TRUE(limiter.Take("a").has_value());
}

}  // namespace
}  // namespace chatter::chat
