// Replies, reactions, mentions, delivery receipts and search on a real PostgreSQL (API.md,
// "Replies, reactions, mentions, receipts, search"): exact counts under concurrent reactors,
// the emoji limit under concurrency, coalesced delivered markers, read never above delivered,
// stemming and prefix search, escaped snippets, keyset pages, and what a deleted message keeps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "services/chat/domain/search_text.h"
#include "tests/services/chat/storage/chat_storage_fixture.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ConversationStorageIntegrationTest : public ChatStorageIntegrationTest {
 protected:
  Message Reply(const std::string& sender, const std::string& room_id, const std::string& parent,
                const std::string& text) {
    absl::StatusOr<StoredMessage> stored =
        service_->SendMessage(sender, room_id, {.content = text, .reply_to = parent});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->message : Message{};
  }

  Message Reload(const std::string& reader, const Message& message) {
    absl::StatusOr<MessagePage> page =
        service_->ListMessages(reader, message.room_id, 1, message.seq + 1, std::nullopt);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->messages.empty()) return Message{};
    EXPECT_TRUE(conversation_service_->AttachReactions(reader, page->messages).ok());
    return page->messages.front();
  }

  std::vector<std::string> SearchIds(const std::string& caller, const std::string& q,
                                     std::optional<std::string> room_id = std::nullopt) {
    absl::StatusOr<SearchPage> page =
        conversation_service_->Search(caller, {.q = q, .room_id = room_id});
    EXPECT_TRUE(page.ok()) << q << ": " << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const SearchResult& result : page->results) ids.push_back(result.message.id);
    }
    return ids;
  }

  int64_t StoredDelivered(const std::string& room_id, const std::string& user_id) {
    std::vector<std::string> values =
        Query(absl::StrCat("SELECT delivered_seq FROM room_members WHERE room_id = '", room_id,
                           "' AND user_id = '", user_id, "'"));
    return values.empty() ? -1 : std::stoll(values.front());
  }

  std::vector<RoomEvent> EventsOf(RoomEvent::Kind kind) {
    std::vector<RoomEvent> found;
    for (RoomEvent& event : events_.events()) {
      if (event.kind == kind) found.push_back(std::move(event));
    }
    return found;
  }
};

// ---------------------------------------------------------------------------------------------
// Replies

TEST_F(ConversationStorageIntegrationTest, ARepliesTakesTheNextSeqAndIsListedUnderItsMessage) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  Message question = Send(kAlice, room.id, "lunch?");
  Send(kBob, room.id, "unrelated");
  Message first = Reply(kBob, room.id, question.id, "yes");
  Message second = Reply(kAlice, room.id, question.id, "12:30 then");
  EXPECT_EQ(first.seq, 3);
  EXPECT_EQ(first.reply_to, question.id);
  EXPECT_EQ(second.seq, 4);
  EXPECT_EQ(Reload(kBob, question).reply_count, 2);

  absl::StatusOr<ReplyPage> page =
      conversation_service_->ListReplies(kBob, room.id, question.id, 1, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->messages), ElementsAre(3));
  ASSERT_TRUE(page->next_after.has_value());
  page = conversation_service_->ListReplies(kBob, room.id, question.id, 1, page->next_after);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->messages), ElementsAre(4));
  EXPECT_FALSE(page->next_after.has_value());

  // A deleted reply keeps no link: it leaves the thread and the count.
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, second.id).ok());
  EXPECT_EQ(Reload(kBob, question).reply_count, 1);
  EXPECT_EQ(Reload(kBob, second).reply_to, "");
  page = conversation_service_->ListReplies(kBob, room.id, question.id, std::nullopt, std::nullopt);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Seqs(page->messages), ElementsAre(3));
}

// The send statement counts no replies for the row it inserts (there can be none), but a retry
// of an earlier send answers with that message as stored, replies counted.
TEST_F(ConversationStorageIntegrationTest, ARetriedSendAnswersWithTheRepliesSinceCounted) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  absl::StatusOr<StoredMessage> sent =
      service_->SendMessage(kAlice, room.id, {.content = "lunch?", .client_msg_id = "q-1"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_TRUE(sent->created);
  EXPECT_EQ(sent->message.reply_count, 0);
  Reply(kBob, room.id, sent->message.id, "yes");
  Reply(kBob, room.id, sent->message.id, "at noon");

  absl::StatusOr<StoredMessage> retried =
      service_->SendMessage(kAlice, room.id, {.content = "lunch?", .client_msg_id = "q-1"});
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->created);
  EXPECT_EQ(retried->message.id, sent->message.id);
  EXPECT_EQ(retried->message.reply_count, 2);
}

TEST_F(ConversationStorageIntegrationTest, AReplyNeedsAMessageOfTheSameRoomThatIsNotDeleted) {
  Room room = MakeRoom(kAlice);
  Room other = MakeRoom(kAlice);
  Message elsewhere = Send(kAlice, other.id, "elsewhere");
  Message gone = Send(kAlice, room.id, "gone");
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, gone.id).ok());
  for (const std::string& target : {elsewhere.id, gone.id, std::string(kNobody)}) {
    absl::StatusOr<StoredMessage> sent =
        service_->SendMessage(kAlice, room.id, {.content = "re", .reply_to = target});
    EXPECT_EQ(sent.status().code(), absl::StatusCode::kInvalidArgument) << target;
    EXPECT_THAT(std::string(sent.status().message()), ::testing::HasSubstr("reply_to"));
  }
  // Nothing was stored, and no seq burnt.
  EXPECT_EQ(Send(kAlice, room.id, "next").seq, 2);
  // A non-member learns nothing about the room's messages.
  absl::StatusOr<StoredMessage> stranger =
      service_->SendMessage(kBob, room.id, {.content = "re", .reply_to = gone.id});
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kPermissionDenied);
}

// ---------------------------------------------------------------------------------------------
// Reactions

TEST_F(ConversationStorageIntegrationTest, FiftyConcurrentReactorsGiveAnExactCount) {
  constexpr int kReactors = 50;
  Room room = MakeRoom(kAlice);
  for (int i = 1; i <= kReactors; ++i) ASSERT_TRUE(service_->JoinRoom(UserId(i), room.id).ok());
  Message message = Send(kAlice, room.id, "vote with 👍");
  std::atomic<int> failures{0};
  RunConcurrently(kReactors, [&](int i) {
    // Each reacts twice: the second is a no-op.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!conversation_service_->AddReaction(UserId(i + 1), room.id, message.id, "👍").ok()) {
        ++failures;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  Message seen = Reload(UserId(7), message);
  ASSERT_EQ(seen.reactions.size(), 1u);
  EXPECT_EQ(seen.reactions[0].emoji, "👍");
  EXPECT_EQ(seen.reactions[0].count, kReactors);
  EXPECT_TRUE(seen.reactions[0].me);
  EXPECT_FALSE(Reload(kAlice, message).reactions[0].me);
  EXPECT_EQ(EventsOf(RoomEvent::Kind::kReactionAdded).size(), static_cast<size_t>(kReactors));

  ASSERT_TRUE(conversation_service_->RemoveReaction(UserId(7), room.id, message.id, "👍").ok());
  ASSERT_TRUE(conversation_service_->RemoveReaction(UserId(7), room.id, message.id, "👍").ok());
  seen = Reload(UserId(7), message);
  EXPECT_EQ(seen.reactions[0].count, kReactors - 1);
  EXPECT_FALSE(seen.reactions[0].me);
  EXPECT_EQ(EventsOf(RoomEvent::Kind::kReactionRemoved).size(), 1u);
}

TEST_F(ConversationStorageIntegrationTest, AtMostTwentyDistinctEmojiAlsoUnderConcurrency) {
  constexpr int kReactors = 30;
  Room room = MakeRoom(kAlice);
  for (int i = 1; i <= kReactors; ++i) ASSERT_TRUE(service_->JoinRoom(UserId(i), room.id).ok());
  Message message = Send(kAlice, room.id, "pick one");
  std::atomic<int> refused{0};
  RunConcurrently(kReactors, [&](int i) {
    absl::Status added = conversation_service_->AddReaction(UserId(i + 1), room.id, message.id,
                                                            absl::StrCat("e", i));
    if (added.code() == absl::StatusCode::kAborted) ++refused;
  });
  EXPECT_EQ(refused.load(), kReactors - kMaxDistinctReactions);
  EXPECT_EQ(Reload(kAlice, message).reactions.size(), static_cast<size_t>(kMaxDistinctReactions));
  // An emoji already there is still welcome.
  std::string present = Reload(kAlice, message).reactions.front().emoji;
  EXPECT_TRUE(conversation_service_->AddReaction(kAlice, room.id, message.id, present).ok());
}

TEST_F(ConversationStorageIntegrationTest, ReactionsNeedMembershipAValidEmojiAndALiveMessage) {
  Room room = MakeRoom(kAlice);
  Message message = Send(kAlice, room.id, "hello");
  EXPECT_EQ(conversation_service_->AddReaction(kBob, room.id, message.id, "👍").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(conversation_service_->AddReaction(kAlice, room.id, message.id, "a b").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(conversation_service_->AddReaction(kAlice, room.id, kNobody, "👍").code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(conversation_service_->AddReaction(kAlice, room.id, message.id, "🎉").ok());
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, message.id).ok());
  Message deleted = Reload(kAlice, message);
  EXPECT_THAT(deleted.reactions, IsEmpty());
  EXPECT_EQ(conversation_service_->AddReaction(kAlice, room.id, message.id, "👍").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Query("SELECT count(*) FROM message_reactions"), ElementsAre("0"));
}

TEST_F(ConversationStorageIntegrationTest, APageOfAHundredMessagesGetsEachMessagesReactions) {
  Room room = MakeRoom(kAlice);
  std::vector<Message> sent;
  for (int i = 0; i < 100; ++i) sent.push_back(Send(kAlice, room.id, absl::StrCat("m", i)));
  for (int i = 0; i < 100; i += 3) {
    ASSERT_TRUE(conversation_service_->AddReaction(kAlice, room.id, sent[i].id, "👍").ok());
  }
  absl::StatusOr<MessagePage> page =
      service_->ListMessages(kAlice, room.id, 100, std::nullopt, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(conversation_service_->AttachReactions(kAlice, page->messages).ok());
  int reacted = 0;
  for (const Message& message : page->messages) {
    bool expected = (message.seq - 1) % 3 == 0;
    EXPECT_EQ(message.reactions.size(), expected ? 1u : 0u) << message.seq;
    reacted += expected;
  }
  EXPECT_EQ(reacted, 34);
}

// ---------------------------------------------------------------------------------------------
// Mentions

TEST_F(ConversationStorageIntegrationTest, MentionsAreMembersNamedWithAnAtAndCountUntilRead) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  // carol exists but is no member; alice@example.com is an address, not a mention.
  Message message =
      Send(kAlice, room.id, "@Bob see alice@example.com and ask @carol, then @bob again");
  EXPECT_THAT(message.mentions, ElementsAre(kBob));
  Send(kAlice, room.id, "no mention here");

  auto unread_mentions = [&](const std::string& user) -> int64_t {
    absl::StatusOr<std::vector<RoomSummary>> rooms = service_->ListRooms(user);
    EXPECT_TRUE(rooms.ok());
    for (const RoomSummary& summary : *rooms) {
      if (summary.room.id == room.id) return summary.unread_mentions;
    }
    return -1;
  };
  EXPECT_EQ(unread_mentions(kBob), 1);
  EXPECT_EQ(unread_mentions(kAlice), 0);
  ASSERT_TRUE(service_->MarkRead(kBob, room.id, message.seq).ok());
  EXPECT_EQ(unread_mentions(kBob), 0);

  // An edit re-reads the mentions; a delete takes them away.
  Message other = Send(kAlice, room.id, "hi");
  absl::StatusOr<Message> edited = service_->EditMessage(kAlice, room.id, other.id, "hi @bob.");
  ASSERT_TRUE(edited.ok());
  EXPECT_THAT(edited->mentions, ElementsAre(kBob));
  EXPECT_EQ(unread_mentions(kBob), 1);
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, other.id).ok());
  EXPECT_EQ(unread_mentions(kBob), 0);
  EXPECT_THAT(Reload(kBob, other).mentions, IsEmpty());
}

TEST_F(ConversationStorageIntegrationTest, ConcurrentSendsKeepTheirMentionsInTheSharedCommit) {
  constexpr int kSenders = 8;
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  for (int i = 1; i <= kSenders; ++i) ASSERT_TRUE(service_->JoinRoom(UserId(i), room.id).ok());
  std::vector<Message> sent(kSenders);
  // Concurrent sends share one statement (group commit): each keeps its own mentions.
  RunConcurrently(kSenders, [&](int i) {
    sent[i] = Send(UserId(i + 1), room.id, absl::StrCat("@bob and @user", i + 1, " look"));
  });
  for (int i = 0; i < kSenders; ++i) {
    EXPECT_THAT(sent[i].mentions, ElementsAre(kBob, UserId(i + 1))) << i;
  }
  absl::StatusOr<std::vector<RoomSummary>> rooms = service_->ListRooms(kBob);
  ASSERT_TRUE(rooms.ok());
  ASSERT_EQ(rooms->size(), 1u);
  EXPECT_EQ(rooms->front().unread_mentions, kSenders);
}

// ---------------------------------------------------------------------------------------------
// Delivery receipts

TEST_F(ConversationStorageIntegrationTest, DeliveredMarkersAreCoalescedIntoOneWritePerFlush) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  for (int i = 0; i < 5; ++i) Send(kAlice, room.id, absl::StrCat("m", i));
  events_.Clear();
  for (int seq = 1; seq <= 5; ++seq) {
    ASSERT_TRUE(conversation_service_->MarkDelivered(kBob, room.id, seq).ok());
  }
  ASSERT_TRUE(conversation_service_->MarkDelivered(kBob, room.id, 2).ok());  // Never backward.
  // Nothing written yet, but this replica answers what it was told.
  EXPECT_EQ(StoredDelivered(room.id, kBob), 0);
  absl::StatusOr<std::vector<Receipt>> receipts =
      conversation_service_->ListReceipts(kBob, room.id);
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 2u);
  EXPECT_EQ((*receipts)[1].user_id, kBob);
  EXPECT_EQ((*receipts)[1].delivered_seq, 5);
  EXPECT_EQ((*receipts)[1].read_seq, 0);

  delivered_->Flush();
  EXPECT_EQ(StoredDelivered(room.id, kBob), 5);
  std::vector<RoomEvent> receipt_events = EventsOf(RoomEvent::Kind::kDeliveryReceipt);
  ASSERT_EQ(receipt_events.size(), 1u);
  EXPECT_EQ(receipt_events[0].user_id, kBob);
  EXPECT_EQ(receipt_events[0].seq, 5);
  // A flush with nothing new writes nothing and says nothing.
  ASSERT_TRUE(conversation_service_->MarkDelivered(kBob, room.id, 4).ok());
  delivered_->Flush();
  EXPECT_EQ(EventsOf(RoomEvent::Kind::kDeliveryReceipt).size(), 1u);
}

TEST_F(ConversationStorageIntegrationTest, ReadingImpliesDeliveryAndMarkersStayInRange) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  for (int i = 0; i < 3; ++i) Send(kAlice, room.id, absl::StrCat("m", i));
  ASSERT_TRUE(service_->MarkRead(kBob, room.id, 2).ok());
  EXPECT_EQ(StoredDelivered(room.id, kBob), 2);
  // The sender's own message counts as delivered to them.
  EXPECT_EQ(StoredDelivered(room.id, kAlice), 3);
  EXPECT_EQ(conversation_service_->MarkDelivered(kBob, room.id, 4).code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(conversation_service_->MarkDelivered(kBob, room.id, -1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(conversation_service_->MarkDelivered(kCarol, room.id, 1).code(),
            absl::StatusCode::kPermissionDenied);
  // Members only, also in a public room.
  EXPECT_EQ(conversation_service_->ListReceipts(kCarol, room.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  // The database refuses a read marker above the delivered one.
  absl::Status broken = pg::RunInTransaction(*pool_, "break", [&](pqxx::work& txn) {
    txn.exec(
        absl::StrCat("UPDATE room_members SET last_read_seq = delivered_seq + 1 WHERE room_id = '",
                     room.id, "'"));
    return absl::OkStatus();
  });
  EXPECT_FALSE(broken.ok());
}

// ---------------------------------------------------------------------------------------------
// Search

TEST_F(ConversationStorageIntegrationTest, SearchStemsPrefixesAndEscapesSnippets) {
  Room room = MakeRoom(kAlice);
  Message running =
      Send(kAlice, room.id, "She was running <script>alert(1)</script> late & \"fast\"");
  Message hello = Send(kAlice, room.id, "hello world & friends");
  Send(kAlice, room.id, "nothing to see");
  EXPECT_THAT(SearchIds(kAlice, "runs"), ElementsAre(running.id));  // Stem: run.
  EXPECT_THAT(SearchIds(kAlice, "hel"), ElementsAre(hello.id));     // Prefix of the last word.
  EXPECT_THAT(SearchIds(kAlice, "world hel"), ElementsAre(hello.id));
  EXPECT_THAT(SearchIds(kAlice, "world nothing"), IsEmpty());

  // The snippet is HTML: the match marked, everything else escaped, tags never let through.
  absl::StatusOr<SearchPage> page = conversation_service_->Search(kAlice, {.q = "runs"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->results.size(), 1u);
  const std::string& snippet = page->results[0].snippet_html;
  EXPECT_THAT(snippet, ::testing::HasSubstr("<mark>running</mark>"));
  EXPECT_THAT(snippet, ::testing::Not(::testing::HasSubstr("<script")));
  EXPECT_THAT(snippet, ::testing::Not(::testing::HasSubstr("\"")));
  EXPECT_THAT(snippet, ::testing::HasSubstr("&amp;"));
}

TEST_F(ConversationStorageIntegrationTest, SearchInputNeverRaisesAnError) {
  Room room = MakeRoom(kAlice);
  Message message = Send(kAlice, room.id, "quoted words: it's fine");
  for (absl::string_view q : {"&|!():*", "\"unbalanced", "it's", "fine:*", "!fine", "a & | b", "'",
                              "\\", "<->", "fine)", "(((", "fine & !"}) {
    absl::StatusOr<SearchPage> page = conversation_service_->Search(kAlice, {.q = std::string(q)});
    EXPECT_TRUE(page.ok()) << q << ": " << page.status();
  }
  EXPECT_THAT(SearchIds(kAlice, "!fine)"), ElementsAre(message.id));
  EXPECT_EQ(conversation_service_->Search(kAlice, {.q = ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(conversation_service_->Search(kAlice, {.q = std::string(201, 'a')}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(conversation_service_->Search(kAlice, {.q = "x", .before = "nope"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ConversationStorageIntegrationTest, SearchSeesOnlyCurrentRoomsAndNoDeletedMessages) {
  Room mine = MakeRoom(kAlice, "private");
  Room left = MakeRoom(kBob);
  Room stranger = MakeRoom(kBob, "private");
  ASSERT_TRUE(service_->JoinRoom(kAlice, left.id).ok());
  Message kept = Send(kAlice, mine.id, "banana bread");
  Message deleted = Send(kAlice, mine.id, "banana split");
  Send(kBob, left.id, "banana boat");
  Send(kBob, stranger.id, "banana republic");
  ASSERT_TRUE(service_->DeleteMessage(kAlice, mine.id, deleted.id).ok());
  ASSERT_TRUE(service_->LeaveRoom(kAlice, left.id).ok());
  EXPECT_THAT(SearchIds(kAlice, "banana"), ElementsAre(kept.id));
  EXPECT_EQ(conversation_service_->Search(kAlice, {.q = "banana", .room_id = stranger.id})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      conversation_service_->Search(kAlice, {.q = "banana", .room_id = left.id}).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(SearchIds(kAlice, "banana", mine.id), ElementsAre(kept.id));
}

TEST_F(ConversationStorageIntegrationTest, SearchPagesNewestFirstWithACursor) {
  Room room = MakeRoom(kAlice);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Send(kAlice, room.id, absl::StrCat("apple ", i)).id);
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    absl::StatusOr<SearchPage> page =
        conversation_service_->Search(kAlice, {.q = "apple", .limit = 2, .before = cursor});
    ASSERT_TRUE(page.ok()) << page.status();
    for (const SearchResult& result : page->results) seen.push_back(result.message.id);
    cursor = page->next_before;
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre(ids[4], ids[3], ids[2], ids[1], ids[0]));
}

}  // namespace
}  // namespace chatter::chat
