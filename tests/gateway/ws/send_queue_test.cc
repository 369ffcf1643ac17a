// Tests the byte-bounded send queue: the bound, the one-frame exception, accounting on pop and
// clear, and that queued frames are the shared buffers themselves.
#include "gateway/ws/send_queue.h"

#include <gtest/gtest.h>

namespace chatter::gateway {
namespace {

Frame FrameOf(size_t bytes) { return std::make_shared<const std::string>(bytes, 'x'); }

TEST(SendQueue, RefusesAFrameThatWouldPassTheBound) {
  SendQueue queue(100);
  EXPECT_TRUE(queue.Push(FrameOf(60)));
  EXPECT_TRUE(queue.Push(FrameOf(40)));
  EXPECT_EQ(queue.bytes(), 100u);
  EXPECT_FALSE(queue.Fits(1));
  EXPECT_FALSE(queue.Push(FrameOf(1)));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.bytes(), 100u);
}

TEST(SendQueue, AnEmptyQueueTakesOneLargeFrame) {
  SendQueue queue(100);
  EXPECT_TRUE(queue.Fits(500));
  EXPECT_TRUE(queue.Push(FrameOf(500)));
  EXPECT_FALSE(queue.Push(FrameOf(1)));
}

TEST(SendQueue, PopAndClearReleaseBytes) {
  SendQueue queue(100);
  queue.Push(FrameOf(30));
  queue.Push(FrameOf(50));
  EXPECT_EQ(queue.front().payload->size(), 30u);
  queue.Pop();
  EXPECT_EQ(queue.bytes(), 50u);
  EXPECT_TRUE(queue.Fits(50));
  EXPECT_FALSE(queue.Fits(51));
  EXPECT_TRUE(queue.Push(FrameOf(50)));
  queue.Clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(SendQueue, HoldsTheSharedBufferNotACopy) {
  SendQueue first(100);
  SendQueue second(100);
  Frame frame = FrameOf(10);
  first.Push(frame);
  second.Push(frame);
  EXPECT_EQ(first.front().payload.get(), frame.get());
  EXPECT_EQ(second.front().payload.get(), frame.get());
  EXPECT_EQ(frame.use_count(), 3);
}

TEST(SendQueue, EachFrameCarriesItsWireHeader) {
  SendQueue queue(1000);
  queue.Push(FrameOf(5));
  queue.Push(FrameOf(300));
  queue.PushControl(FrameOf(2), WsOpcode::kClose);
  // FIN + text, length 5.
  EXPECT_EQ(queue.at(0).header.size, 2);
  EXPECT_EQ(queue.at(0).header.bytes[0], 0x81);
  EXPECT_EQ(queue.at(0).header.bytes[1], 5);
  EXPECT_EQ(queue.at(0).wire_size(), 7u);
  // 126 and a 16-bit length.
  EXPECT_EQ(queue.at(1).header.size, 4);
  EXPECT_EQ(queue.at(1).header.bytes[1], 126);
  EXPECT_EQ(queue.at(1).header.bytes[2] * 256 + queue.at(1).header.bytes[3], 300);
  EXPECT_EQ(queue.at(2).header.bytes[0], 0x88);
  EXPECT_EQ(queue.bytes(), 307u);
  EXPECT_EQ(queue.Pop().payload->size(), 5u);
  EXPECT_EQ(queue.bytes(), 302u);
}

}  // namespace
}  // namespace chatter::gateway
