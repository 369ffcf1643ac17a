// Unit tests for PasswordHasher with libsodium's minimum argon2id cost, so they run quickly.
#include "libs/password/password_hasher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "absl/strings/match.h"

namespace chatter::password {
namespace {

constexpr Argon2Params kFast{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};

std::string HashOrDie(const PasswordHasher& hasher, std::string_view password) {
  absl::StatusOr<std::string> hash = hasher.Hash(password);
  EXPECT_TRUE(hash.ok()) << hash.status();
  return hash.ok() ? *hash : "";
}

TEST(PasswordHasherTest, VerifiesTheRightPassword) {
  const PasswordHasher hasher(kFast);
  const std::string hash = HashOrDie(hasher, "correct horse battery staple");
  EXPECT_TRUE(hasher.Verify(hash, "correct horse battery staple"));
}

TEST(PasswordHasherTest, RejectsAWrongPassword) {
  const PasswordHasher hasher(kFast);
  const std::string hash = HashOrDie(hasher, "correct horse battery staple");
  EXPECT_FALSE(hasher.Verify(hash, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.Verify(hash, ""));
}

TEST(PasswordHasherTest, HandlesEmptyAndBinaryPasswords) {
  const PasswordHasher hasher(kFast);
  const std::string with_nul("pa\0ss", 5);
  const std::string hash = HashOrDie(hasher, with_nul);
  EXPECT_TRUE(hasher.Verify(hash, with_nul));
  EXPECT_FALSE(hasher.Verify(hash, "pa")) << "the NUL must not end the password";
  EXPECT_TRUE(hasher.Verify(HashOrDie(hasher, ""), ""));
}

TEST(PasswordHasherTest, ProducesArgon2idWithOurParams) {
  const PasswordHasher hasher(kFast);
  const std::string hash = HashOrDie(hasher, "secret");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << hash;
}

TEST(PasswordHasherTest, UsesAFreshSaltEveryTime) {
  const PasswordHasher hasher(kFast);
  const std::string first = HashOrDie(hasher, "secret");
  const std::string second = HashOrDie(hasher, "secret");
  EXPECT_NE(first, second);
  EXPECT_TRUE(hasher.Verify(first, "secret"));
  EXPECT_TRUE(hasher.Verify(second, "secret"));
}

TEST(PasswordHasherTest, RejectsHashesThatAreNotHashes) {
  const PasswordHasher hasher(kFast);
  const std::string hash = HashOrDie(hasher, "secret");
  EXPECT_FALSE(hasher.Verify("", "secret"));
  EXPECT_FALSE(hasher.Verify("$argon2id$garbage", "secret"));
  EXPECT_FALSE(hasher.Verify(hash + std::string(1, '\0') + "tail", "secret"));
  EXPECT_FALSE(hasher.Verify(hash.substr(0, hash.size() - 1), "secret"));
}

TEST(PasswordHasherTest, NeedsRehashOnlyWhenParamsOrAlgorithmDiffer) {
  const PasswordHasher hasher(kFast);
  const std::string hash = HashOrDie(hasher, "secret");
  EXPECT_FALSE(hasher.NeedsRehash(hash));
  EXPECT_TRUE(PasswordHasher({kFast.ops_limit + 1, kFast.mem_limit_bytes}).NeedsRehash(hash));
  EXPECT_TRUE(PasswordHasher({kFast.ops_limit, kFast.mem_limit_bytes * 2}).NeedsRehash(hash));
  EXPECT_TRUE(hasher.NeedsRehash("not a hash"));

  // libsodium itself would call a matching argon2i hash current; we want argon2id everywhere.
  char argon2i[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(argon2i, "secret", 6, 3, kFast.mem_limit_bytes,
                                  crypto_pwhash_ALG_ARGON2I13),
            0);
  EXPECT_TRUE(hasher.Verify(argon2i, "secret"));
  EXPECT_TRUE(PasswordHasher({3, kFast.mem_limit_bytes}).NeedsRehash(argon2i));
}

TEST(PasswordHasherTest, ReportsOutOfRangeParams) {
  const PasswordHasher hasher({0, crypto_pwhash_MEMLIMIT_MIN});
  const absl::StatusOr<std::string> hash = hasher.Hash("secret");
  EXPECT_EQ(hash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(hash.status().message(), "argon2id ops_limit 0 is outside [1, 4294967295]");

  const absl::StatusOr<std::string> small = PasswordHasher({1, 1024}).Hash("secret");
  EXPECT_EQ(small.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(small.status().message(), "mem_limit_bytes 1024 is outside"))
      << small.status();
}

// Median wall time of a few runs, to keep scheduler noise out of the comparison.
std::chrono::nanoseconds MedianTime(const std::function<void()>& work) {
  std::vector<std::chrono::nanoseconds> runs;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    runs.push_back(std::chrono::steady_clock::now() - start);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

TEST(PasswordHasherTest, UnknownUserCostsAboutAsMuchAsAKnownOne) {
  // Big enough that hashing dominates call overhead; the bounds are loose because CI is noisy,
  // but a skipped verification would be orders of magnitude faster.
  const PasswordHasher hasher({2, 4 * 1024 * 1024});
  const std::string hash = HashOrDie(hasher, "secret");
  const auto known = MedianTime([&] { (void)hasher.Verify(hash, "guess"); });
  const auto unknown = MedianTime([&] { hasher.SpendEquivalentTime("guess"); });
  EXPECT_GT(unknown * 4, known) << "known " << known.count() << "ns, unknown " << unknown.count();
  EXPECT_LT(unknown, known * 4) << "known " << known.count() << "ns, unknown " << unknown.count();
}

}  // namespace
}  // namespace chatter::password
