// Tests for loading a directory into memory: what is served, what is left out and why.
#include "gateway/static/static_bundle.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/gateway/static/temp_tree.h"

namespace chatter::gateway {
namespace {

namespace fs = std::filesystem;

StaticLimits Limits(size_t max_file_bytes, size_t max_total_bytes = 64 << 20,
                    size_t max_files = 10000) {
  StaticLimits limits;
  limits.max_file_bytes = max_file_bytes;
  limits.max_total_bytes = max_total_bytes;
  limits.max_files = max_files;
  return limits;
}

TEST(StaticBundle, LoadsEveryFileWithItsHeaders) {
  TempTree tree;
  tree.Write("index.html", "<!doctype html><title>x</title>");
  tree.Write("assets/app-1f2e.js", "console.log(1)");
  tree.Write("docs/index.html", "docs");
  absl::StatusOr<StaticBundle> bundle = StaticBundle::Load(tree.root(), {});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->file_count(), 3u);
  EXPECT_EQ(bundle->total_bytes(), 31u + 14u + 4u);
  const StaticFile* index = bundle->Find("index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content, "<!doctype html><title>x</title>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->cache_control, "no-cache");
  EXPECT_TRUE(index->document);
  EXPECT_EQ(index->etag.front(), '"');
  EXPECT_EQ(index->etag.back(), '"');
  const StaticFile* script = bundle->Find("assets/app-1f2e.js");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->cache_control, "public, max-age=31536000, immutable");
  EXPECT_FALSE(script->document);
  EXPECT_NE(script->etag, index->etag);
  EXPECT_NE(bundle->Find("docs/index.html"), nullptr);
  EXPECT_EQ(bundle->Find("docs"), nullptr);  // Directories are not files (no listings).
  EXPECT_EQ(bundle->Find("missing.js"), nullptr);
  EXPECT_TRUE(bundle->skipped().empty());
}

TEST(StaticBundle, TheSameContentHasTheSameEtag) {
  TempTree a, b;
  a.Write("x.js", "same");
  b.Write("x.js", "same");
  b.Write("y.js", "other");
  EXPECT_EQ(StaticBundle::Load(a.root(), {})->Find("x.js")->etag,
            StaticBundle::Load(b.root(), {})->Find("x.js")->etag);
  EXPECT_NE(StaticBundle::Load(b.root(), {})->Find("y.js")->etag,
            StaticBundle::Load(b.root(), {})->Find("x.js")->etag);
}

TEST(StaticBundle, LeavesOutHiddenFilesAndOversizedOnes) {
  TempTree tree;
  tree.Write("index.html", "ok");
  tree.Write(".env", "SECRET=1");
  tree.Write(".git/config", "[core]");
  tree.Write("big.bin", std::string(2048, 'x'));
  absl::StatusOr<StaticBundle> bundle = StaticBundle::Load(tree.root(), Limits(1024));
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->file_count(), 1u);
  EXPECT_EQ(bundle->Find(".env"), nullptr);
  EXPECT_EQ(bundle->Find(".git/config"), nullptr);
  EXPECT_EQ(bundle->Find("big.bin"), nullptr);
  ASSERT_EQ(bundle->skipped().size(), 1u);
  EXPECT_EQ(bundle->skipped()[0], "big.bin: 2048 bytes, over the 1024-byte limit");
}

TEST(StaticBundle, FollowsSymlinksOnlyInsideTheRoot) {
  TempTree outside;
  outside.Write("secret.txt", "top secret");
  outside.Write("dir/other.txt", "also secret");
  TempTree tree;
  tree.Write("real.txt", "real");
  fs::create_symlink(tree.Path("real.txt"), tree.Path("alias.txt"));
  fs::create_symlink(outside.Path("secret.txt"), tree.Path("leak.txt"));
  fs::create_symlink(outside.Path("dir"), tree.Path("leakdir"));
  fs::create_symlink("../../../../../../../../etc/passwd", tree.Path("passwd"));
  absl::StatusOr<StaticBundle> bundle = StaticBundle::Load(tree.root(), {});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_NE(bundle->Find("alias.txt"), nullptr);
  EXPECT_EQ(bundle->Find("alias.txt")->content, "real");
  EXPECT_EQ(bundle->Find("leak.txt"), nullptr);
  EXPECT_EQ(bundle->Find("leakdir/other.txt"), nullptr);
  EXPECT_EQ(bundle->Find("passwd"), nullptr);
  EXPECT_EQ(bundle->file_count(), 2u);
  EXPECT_EQ(bundle->skipped().size(), 3u);
}

TEST(StaticBundle, RefusesAMissingRootAndOneTooLarge) {
  TempTree tree;
  EXPECT_EQ(StaticBundle::Load(tree.Path("nope").string(), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  tree.Write("file.txt", "x");
  EXPECT_EQ(StaticBundle::Load(tree.Path("file.txt").string(), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  tree.Write("a.txt", std::string(600, 'a'));
  tree.Write("b.txt", std::string(600, 'b'));
  absl::Status too_large = StaticBundle::Load(tree.root(), Limits(1024, 1000)).status();
  EXPECT_EQ(too_large.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(too_large.message().find("is it the right directory?"), std::string::npos);
  EXPECT_EQ(StaticBundle::Load(tree.root(), Limits(4 << 20, 64 << 20, 2)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chatter::gateway
