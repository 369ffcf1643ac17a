// Tests for expected-delivery accounting: what a run owes, what arrived, what was duplicated.
#include "tools/loadgen/delivery_ledger.h"

#include <gtest/gtest.h>

#include <vector>

namespace chatter::loadgen {
namespace {

// Rooms of 3 and 130 members (130 > 64: the receipt bitmap spans several words).
const std::vector<int> kRooms = {3, 130};

void SubscribeEveryone(DeliveryLedger& ledger) {
  for (size_t room = 0; room < kRooms.size(); ++room) {
    for (int i = 0; i < kRooms[room]; ++i) ledger.AddSubscriber(static_cast<int>(room));
  }
}

TEST(DeliveryLedgerTest, AnAckedMessageOwesOneDeliveryPerSubscriberIncludingTheSender) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(/*room=*/0, /*send_ns=*/1000, /*measured=*/true);
  ledger.RecordAck(id, 1500);
  for (int slot = 0; slot < 3; ++slot) ledger.RecordReceipt(0, slot, id, 1000, 3000 + slot);

  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.sent, 1u);
  EXPECT_EQ(totals.acked, 1u);
  EXPECT_EQ(totals.unacked, 0u);
  EXPECT_EQ(totals.expected, 3u);
  EXPECT_EQ(totals.received_unique, 3u);
  EXPECT_EQ(totals.received_total, 3u);
  EXPECT_EQ(totals.duplicates, 0u);
  EXPECT_DOUBLE_EQ(totals.CompletenessPercent(), 100.0);
  EXPECT_TRUE(totals.AllDelivered());
  EXPECT_TRUE(ledger.AllDelivered());
  EXPECT_EQ(totals.delivery_latency.count(), 3u);
  EXPECT_EQ(totals.delivery_latency.min(), 2000);
  EXPECT_EQ(totals.delivery_latency.max(), 2002);
  EXPECT_EQ(totals.ack_latency.max(), 500);
}

TEST(DeliveryLedgerTest, DeliveriesBeforeTheAckCountOnceTheAckArrives) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(0, 0, true);
  ledger.RecordReceipt(0, 0, id, 0, 10);
  ledger.RecordReceipt(0, 2, id, 0, 10);
  EXPECT_EQ(ledger.Totals().expected, 0u);
  EXPECT_EQ(ledger.Totals().received_unique, 0u);
  EXPECT_FALSE(ledger.AllDelivered());  // Still waiting for the ack.

  ledger.RecordAck(id, 20);
  EXPECT_EQ(ledger.Totals().expected, 3u);
  EXPECT_EQ(ledger.Totals().received_unique, 2u);
  ledger.RecordReceipt(0, 1, id, 0, 30);
  EXPECT_TRUE(ledger.AllDelivered());
}

TEST(DeliveryLedgerTest, AMissingDeliveryLowersCompleteness) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(0, 0, true);
  ledger.RecordAck(id, 1);
  ledger.RecordReceipt(0, 0, id, 0, 1);
  ledger.RecordReceipt(0, 1, id, 0, 1);
  LedgerTotals totals = ledger.Totals();
  EXPECT_NEAR(totals.CompletenessPercent(), 66.667, 0.01);
  EXPECT_FALSE(totals.AllDelivered());
}

TEST(DeliveryLedgerTest, TheSameMessageTwiceToTheSameMemberIsADuplicate) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(1, 0, true);
  ledger.RecordAck(id, 1);
  ledger.RecordReceipt(1, 100, id, 0, 5);  // Past the first 64-bit word of the room's bitmap.
  ledger.RecordReceipt(1, 100, id, 0, 6);
  ledger.RecordReceipt(1, 101, id, 0, 7);
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.duplicates, 1u);
  EXPECT_EQ(totals.received_unique, 2u);
  EXPECT_EQ(totals.received_total, 3u);
  EXPECT_EQ(totals.expected, 130u);
  EXPECT_EQ(totals.delivery_latency.count(), 2u);  // A duplicate measures nothing.
}

TEST(DeliveryLedgerTest, DeliveriesToTheWrongRoomOrOfUnknownMessagesAreForeign) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(0, 0, true);
  ledger.RecordAck(id, 1);
  ledger.RecordReceipt(/*room=*/1, 0, id, 0, 1);  // Sent to room 0.
  ledger.RecordReceipt(0, 0, /*id=*/99, 0, 1);
  ledger.RecordReceipt(0, /*slot=*/3, id, 0, 1);  // Room 0 has slots 0..2.
  ledger.RecordForeign();
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.foreign, 4u);
  EXPECT_EQ(totals.received_unique, 0u);
  EXPECT_EQ(totals.received_total, 0u);
}

TEST(DeliveryLedgerTest, FailedSendsOweNothingAndAreCountedByCode) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t a = ledger.RecordSend(0, 0, true);
  uint64_t b = ledger.RecordSend(0, 0, true);
  uint64_t c = ledger.RecordSend(1, 0, true);
  ledger.RecordSendFailed(a, "resource_exhausted");
  ledger.RecordSendFailed(b, "resource_exhausted");
  ledger.RecordSendFailed(c, "connection_closed");
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.send_failed, 3u);
  EXPECT_EQ(totals.unacked, 0u);
  EXPECT_EQ(totals.expected, 0u);
  EXPECT_EQ(totals.send_errors_by_code.at("resource_exhausted"), 2u);
  EXPECT_EQ(totals.send_errors_by_code.at("connection_closed"), 1u);
  EXPECT_TRUE(totals.AllDelivered());
}

TEST(DeliveryLedgerTest, ASecondReplyOrAReplyToNothingIsUnexpected) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(0, 0, true);
  ledger.RecordAck(id, 1);
  ledger.RecordAck(id, 2);
  ledger.RecordSendFailed(id, "internal");
  ledger.RecordAck(12345, 3);
  ledger.RecordUnexpectedReply();
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.unexpected_replies, 4u);
  EXPECT_EQ(totals.acked, 1u);
  EXPECT_EQ(totals.expected, 3u);
  EXPECT_EQ(totals.send_failed, 0u);
}

TEST(DeliveryLedgerTest, AnUnansweredMessageKeepsTheRunIncomplete) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  ledger.RecordSend(0, 0, true);
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.unacked, 1u);
  EXPECT_FALSE(totals.AllDelivered());
}

TEST(DeliveryLedgerTest, OwedDeliveriesAreTheSubscribersAtSendTime) {
  DeliveryLedger ledger({4});
  ledger.AddSubscriber(0);
  ledger.AddSubscriber(0);
  uint64_t early = ledger.RecordSend(0, 0, true);
  ledger.AddSubscriber(0);
  uint64_t late = ledger.RecordSend(0, 0, true);
  EXPECT_EQ(ledger.SubscribersOf(0), 3);
  ledger.RecordAck(early, 1);
  ledger.RecordAck(late, 1);
  EXPECT_EQ(ledger.Totals().expected, 2u + 3u);
}

TEST(DeliveryLedgerTest, WarmupMessagesAreCheckedButNotMeasured) {
  DeliveryLedger ledger(kRooms);
  SubscribeEveryone(ledger);
  uint64_t id = ledger.RecordSend(0, 0, /*measured=*/false);
  ledger.RecordAck(id, 100);
  for (int slot = 0; slot < 3; ++slot) ledger.RecordReceipt(0, slot, id, 0, 200);
  LedgerTotals totals = ledger.Totals();
  EXPECT_EQ(totals.received_unique, 3u);
  EXPECT_TRUE(totals.AllDelivered());
  EXPECT_EQ(totals.delivery_latency.count(), 0u);
  EXPECT_EQ(totals.ack_latency.count(), 0u);
}

TEST(DeliveryLedgerTest, NothingExpectedIsComplete) {
  LedgerTotals totals;
  EXPECT_DOUBLE_EQ(totals.CompletenessPercent(), 100.0);
}

}  // namespace
}  // namespace chatter::loadgen
