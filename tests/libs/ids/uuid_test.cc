// Unit tests for UUIDv7 generation (layout, time, ordering) and canonical UUID parsing.
#include "libs/ids/uuid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "libs/ids/uuid_generator.h"

namespace chatter::ids {
namespace {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t millis) : millis_(millis) {}
  int64_t UnixMillis() override { return millis_.load(); }
  void Set(int64_t millis) { millis_.store(millis); }

 private:
  std::atomic<int64_t> millis_;
};

// Every byte the same value, so the random parts of an id are known.
class ConstantRandom final : public RandomSource {
 public:
  explicit ConstantRandom(uint8_t value) : value_(value) {}
  void Fill(std::span<uint8_t> out) override { std::fill(out.begin(), out.end(), value_); }

 private:
  uint8_t value_;
};

TEST(UuidGeneratorTest, SetsVersionSevenAndRfcVariant) {
  SystemClock clock;
  SodiumRandomSource random;
  UuidGenerator generator(clock, random);
  for (int i = 0; i < 100; ++i) {
    const std::string id = generator.NewV7();
    ASSERT_TRUE(IsValidUuid(id)) << id;
    EXPECT_EQ(id[14], '7') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_EQ(NormalizeUuid(id), id) << "generated ids are already lower-case";
  }
}

TEST(UuidGeneratorTest, EncodesTheClockInTheFirst48Bits) {
  FakeClock clock(0x0123456789AB);
  ConstantRandom random(0);
  UuidGenerator generator(clock, random);
  const std::string id = generator.NewV7();
  EXPECT_EQ(id, "01234567-89ab-7000-8000-000000000000");
  EXPECT_EQ(UuidV7UnixMillis(id), 0x0123456789AB);
}

TEST(UuidGeneratorTest, SystemClockTimestampIsNow) {
  SystemClock clock;
  SodiumRandomSource random;
  UuidGenerator generator(clock, random);
  const int64_t before = clock.UnixMillis();
  const std::optional<int64_t> encoded = UuidV7UnixMillis(generator.NewV7());
  const int64_t after = clock.UnixMillis();
  ASSERT_TRUE(encoded.has_value());
  EXPECT_GE(*encoded, before);
  EXPECT_LE(*encoded, after);
}

TEST(UuidGeneratorTest, TenThousandIdsInATightLoopStrictlyIncrease) {
  SystemClock clock;
  SodiumRandomSource random;
  UuidGenerator generator(clock, random);
  std::string previous = generator.NewV7();
  for (int i = 0; i < 10'000; ++i) {
    std::string next = generator.NewV7();
    ASSERT_LT(previous, next) << "at " << i;
    previous = std::move(next);
  }
}

TEST(UuidGeneratorTest, CountsUpWithinOneMillisecond) {
  FakeClock clock(1'700'000'000'000);
  ConstantRandom random(0xFF);  // Seeds the counter as high as it may start.
  UuidGenerator generator(clock, random);
  std::string previous = generator.NewV7();
  for (int i = 0; i < 10'000; ++i) {
    std::string next = generator.NewV7();
    ASSERT_LT(previous, next) << "at " << i;
    ASSERT_EQ(UuidV7UnixMillis(next), 1'700'000'000'000) << "the counter must not borrow time";
    previous = std::move(next);
  }
}

TEST(UuidGeneratorTest, StaysOrderedWhenTheClockStepsBack) {
  FakeClock clock(1'700'000'000'500);
  SodiumRandomSource random;
  UuidGenerator generator(clock, random);
  const std::string first = generator.NewV7();
  clock.Set(1'700'000'000'000);
  const std::string second = generator.NewV7();
  EXPECT_LT(first, second);
  EXPECT_EQ(UuidV7UnixMillis(second), 1'700'000'000'500);
  clock.Set(1'700'000'000'501);
  const std::string third = generator.NewV7();
  EXPECT_LT(second, third);
  EXPECT_EQ(UuidV7UnixMillis(third), 1'700'000'000'501);
}

TEST(UuidGeneratorTest, ConcurrentCallersGetUniqueIdsInOrderPerThread) {
  SystemClock clock;
  SodiumRandomSource random;
  UuidGenerator generator(clock, random);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2'500;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(generator.NewV7());
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> all;
  for (const std::vector<std::string>& per_thread : ids) {
    EXPECT_TRUE(std::is_sorted(per_thread.begin(), per_thread.end()));
    all.insert(per_thread.begin(), per_thread.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
}

TEST(UuidTest, AcceptsCanonicalFormInEitherCase) {
  EXPECT_TRUE(IsValidUuid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
  EXPECT_TRUE(IsValidUuid("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"));
  EXPECT_TRUE(IsValidUuid("017f22E2-79b0-7Cc3-98c4-dc0c0c07398F"));
  EXPECT_TRUE(IsValidUuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_TRUE(IsValidUuid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

TEST(UuidTest, RejectsEverythingElse) {
  EXPECT_FALSE(IsValidUuid(""));
  EXPECT_FALSE(IsValidUuid("017f22e2-79b0-7cc3-98c4-dc0c0c07398"));    // 35 characters.
  EXPECT_FALSE(IsValidUuid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f0"));  // 37 characters.
  EXPECT_FALSE(IsValidUuid("017f22e279b07cc398c4dc0c0c07398f"));       // No dashes.
  EXPECT_FALSE(IsValidUuid("017f22e2-79b07-cc3-98c4-dc0c0c07398f"));   // Dash misplaced.
  EXPECT_FALSE(IsValidUuid("017f22e2-79b0-7cc3-98c4_dc0c0c07398f"));   // Not a dash.
  EXPECT_FALSE(IsValidUuid("017f22g2-79b0-7cc3-98c4-dc0c0c07398f"));   // 'g' is not hex.
  EXPECT_FALSE(IsValidUuid("{017f22e2-79b0-7cc3-98c4-dc0c0c0739}"));   // Braces.
  EXPECT_FALSE(IsValidUuid(" 017f22e2-79b0-7cc3-98c4-dc0c0c07398"));   // Leading space.
  EXPECT_FALSE(IsValidUuid("urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
  EXPECT_FALSE(IsValidUuid(std::string_view("017f22e2-79b0-7cc3-98c4-dc0c0c07398\0", 36)));
}

TEST(UuidTest, NormalizeLowercasesValidIdsOnly) {
  EXPECT_EQ(NormalizeUuid("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(NormalizeUuid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(NormalizeUuid("017F22E2-79B0-7CC3-98C4-DC0C0C07398G"), std::nullopt);
  EXPECT_EQ(NormalizeUuid(""), std::nullopt);
}

TEST(UuidTest, ReadsTheTimestampOfTheRfcExample) {
  // RFC 9562 Appendix A.6: 2022-02-22 19:22:22 UTC.
  EXPECT_EQ(UuidV7UnixMillis("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"), 1645557742000);
  // Version 4 and a non-RFC variant carry no timestamp.
  EXPECT_EQ(UuidV7UnixMillis("919108f7-52d1-4320-9bac-f847db4148a8"), std::nullopt);
  EXPECT_EQ(UuidV7UnixMillis("017f22e2-79b0-7cc3-18c4-dc0c0c07398f"), std::nullopt);
  EXPECT_EQ(UuidV7UnixMillis("not-a-uuid"), std::nullopt);
}

}  // namespace
}  // namespace chatter::ids
