// Input rules of chat-svc on their own: UUID ids, Unicode trimming and code-point counting,
// attachments, emails and history queries, each error naming its field.
#include "services/chat/domain/validation.h"

#include <gtest/gtest.h>

#include "libs/status/error_details.h"
#include "services/chat/domain/permissions.h"

namespace chatter::chat {
namespace {

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).field();
}

TEST(ValidationTest, IdsAreUuidsLowerCased) {
  EXPECT_EQ(*ParseId("room_id", "018F0000-0000-7000-8000-0000000000AB"),
            "018f0000-0000-7000-8000-0000000000ab");
  for (const char* bad : {"", "x", "018f0000-0000-7000-8000-0000000000a", "../etc/passwd",
                          "018f0000000070008000000000000000ab00"}) {
    absl::Status status = ParseId("room_id", bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(FieldOf(status), "room_id") << bad;
  }
}

TEST(ValidationTest, TrimsUnicodeWhiteSpaceOnly) {
  EXPECT_EQ(TrimWhitespace(" \t\n\u00a0\u2003hi there\u3000\r\n"), "hi there");
  EXPECT_EQ(TrimWhitespace("\u200bzero-width\u200b"),
            "\u200bzero-width\u200b");  // Not White_Space.
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(TrimWhitespace(""), "");
  EXPECT_EQ(TrimWhitespace("\xC3\xA9"), "\xC3\xA9");  // é survives.
}

TEST(ValidationTest, ContentCountsCodePointsAfterTrimming) {
  EXPECT_EQ(*NormalizeContent("  hi  "), "hi");
  EXPECT_TRUE(NormalizeContent(std::string(4000, 'a')).ok());
  EXPECT_EQ(FieldOf(NormalizeContent(std::string(4001, 'a')).status()), "content");
  std::string accents;
  for (int i = 0; i < 4000; ++i) accents += "\xC3\xA9";  // 8000 bytes, 4000 characters.
  EXPECT_TRUE(NormalizeContent(accents).ok());
  EXPECT_EQ(FieldOf(NormalizeContent("\xed\xa0\x80").status()), "content");  // A surrogate.
  EXPECT_EQ(FieldOf(NormalizeContent("").status()), "content");
}

TEST(ValidationTest, ClientMsgIdIsOptionalAndAtMost128Characters) {
  EXPECT_EQ(*NormalizeClientMsgId(std::nullopt), std::nullopt);
  EXPECT_EQ(*NormalizeClientMsgId(""), std::nullopt);
  EXPECT_EQ(*NormalizeClientMsgId(std::string(128, 'k')), std::string(128, 'k'));
  EXPECT_EQ(FieldOf(NormalizeClientMsgId(std::string(129, 'k')).status()), "client_msg_id");
}

TEST(ValidationTest, AttachmentsNeedHttpsUrls) {
  Attachment ok{.url = "https://cdn.example.com/x"};
  EXPECT_TRUE(ValidateAttachments({ok}).ok());
  for (const char* url :
       {"", "https://", "https:///path", "ftp://x", "https://a b", "javascript:x"}) {
    Attachment bad{.url = url};
    EXPECT_EQ(FieldOf(ValidateAttachments({ok, bad})), "attachments[1].url") << url;
  }
  Attachment long_url{.url = "https://x.example/" + std::string(2048, 'p')};
  EXPECT_EQ(FieldOf(ValidateAttachments({long_url})), "attachments[0].url");
  Attachment long_name{.url = ok.url, .name = std::string(256, 'n')};
  EXPECT_EQ(FieldOf(ValidateAttachments({long_name})), "attachments[0].name");
}

TEST(ValidationTest, EmailsArePlausibleAndLowerCased) {
  EXPECT_EQ(*NormalizeEmail(" Bob@Example.COM "), "bob@example.com");
  for (const char* bad : {"", "bob", "@example.com", "bob@", "a@b@c", "bo b@example.com"}) {
    EXPECT_EQ(FieldOf(NormalizeEmail(bad).status()), "email") << bad;
  }
}

TEST(ValidationTest, HistoryQueryDefaultsAndBounds) {
  HistoryQuery defaults = *ValidateHistoryQuery(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(defaults.limit, 50);
  EXPECT_EQ(ValidateHistoryQuery(1, 0, std::nullopt)->before, 0);
  EXPECT_EQ(ValidateHistoryQuery(100, std::nullopt, 9)->after, 9);
  EXPECT_EQ(FieldOf(ValidateHistoryQuery(101, std::nullopt, std::nullopt).status()), "limit");
  EXPECT_EQ(FieldOf(ValidateHistoryQuery(-5, std::nullopt, std::nullopt).status()), "limit");
  EXPECT_EQ(FieldOf(ValidateHistoryQuery(0, std::nullopt, std::nullopt).status()), "limit");
  EXPECT_EQ(FieldOf(ValidateHistoryQuery(5, -1, std::nullopt).status()), "before");
  EXPECT_EQ(FieldOf(ValidateHistoryQuery(5, std::nullopt, -1).status()), "after");
  EXPECT_EQ(ValidateHistoryQuery(5, 1, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PermissionsTest, ReadAccess) {
  RoomForUser view{.room = Room{.kind = RoomKind::kGroup, .visibility = Visibility::kPublic}};
  EXPECT_TRUE(MayRead(view));
  view.room.visibility = Visibility::kPrivate;
  EXPECT_FALSE(MayRead(view));
  view.membership = Membership{};
  EXPECT_TRUE(MayRead(view));
  RoomForUser direct{.room = Room{.kind = RoomKind::kDirect, .visibility = Visibility::kPublic}};
  EXPECT_FALSE(MayRead(direct));  // Whatever the stored visibility says.
}

TEST(PermissionsTest, TheRoleLadder) {
  EXPECT_TRUE(MayRemove(Role::kOwner, Role::kAdmin));
  EXPECT_TRUE(MayRemove(Role::kOwner, Role::kMember));
  EXPECT_FALSE(MayRemove(Role::kOwner, Role::kOwner));
  EXPECT_TRUE(MayRemove(Role::kAdmin, Role::kMember));
  EXPECT_FALSE(MayRemove(Role::kAdmin, Role::kAdmin));
  EXPECT_FALSE(MayRemove(Role::kAdmin, Role::kOwner));
  EXPECT_FALSE(MayRemove(Role::kMember, Role::kMember));
  EXPECT_FALSE(MayAddMembers(std::nullopt));
  EXPECT_FALSE(MayAddMembers(Membership{.role = Role::kMember}));
  EXPECT_TRUE(MayAddMembers(Membership{.role = Role::kAdmin}));

  Message message{.sender_id = "s"};
  EXPECT_TRUE(MayDeleteMessage(Membership{.user_id = "s"}, message));
  EXPECT_FALSE(MayDeleteMessage(Membership{.user_id = "o"}, message));
  EXPECT_TRUE(MayDeleteMessage(Membership{.user_id = "o", .role = Role::kAdmin}, message));
}

}  // namespace
}  // namespace chatter::chat
