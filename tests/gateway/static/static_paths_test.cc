// Tests for request path resolution (and its refusals), content types and cache policy.
#include "gateway/static/static_paths.h"

#include <gtest/gtest.h>

namespace chatter::gateway {
namespace {

TEST(ResolveStaticPath, MapsDirectoriesToTheirIndexAndDecodesEscapes) {
  EXPECT_EQ(*ResolveStaticPath(""), "index.html");
  EXPECT_EQ(*ResolveStaticPath("index.html"), "index.html");
  EXPECT_EQ(*ResolveStaticPath("docs/"), "docs/index.html");
  EXPECT_EQ(*ResolveStaticPath("assets/app-1f2e.js"), "assets/app-1f2e.js");
  EXPECT_EQ(*ResolveStaticPath("my%20file.txt"), "my file.txt");
  EXPECT_EQ(*ResolveStaticPath("caf%C3%A9.css"), "caf\xC3\xA9.css");
}

TEST(ResolveStaticPath, RefusesEverythingThatCouldLeaveTheRoot) {
  for (const char* path : {"..",
                           "../etc/passwd",
                           "a/../../secret",
                           "a/./b",
                           ".",
                           "%2e%2e/secret",
                           "%2E%2E",
                           "a/%2e%2e/%2e%2e/x",
                           "%2e",
                           "a%2f..%2fb",
                           "a%2Fb",
                           "..%5csecret",
                           "a\\b",
                           "a//b",
                           "/abs",
                           "x%00.html",
                           "x%0a",
                           "x%7f",
                           "%",
                           "%4",
                           "%zz",
                           "a%2",
                           "a/%2e%2e/"}) {
    absl::StatusOr<std::string> resolved = ResolveStaticPath(path);
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument)
        << path << " resolved to " << resolved.value_or("?");
  }
  std::string with_nul("a\0b", 3);
  EXPECT_FALSE(ResolveStaticPath(with_nul).ok());
}

TEST(ResolveStaticPath, KeepsDotsThatAreNotWholeSegments) {
  EXPECT_EQ(*ResolveStaticPath("..well-named"), "..well-named");
  EXPECT_EQ(*ResolveStaticPath("a.b/c..d.js"), "a.b/c..d.js");
}

TEST(StaticContentType, ByExtension) {
  EXPECT_EQ(StaticContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticContentType("INDEX.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticContentType("assets/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("worker.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticContentType("logo.svg"), "image/svg+xml");
  EXPECT_EQ(StaticContentType("logo.png"), "image/png");
  EXPECT_EQ(StaticContentType("favicon.ico"), "image/x-icon");
  EXPECT_EQ(StaticContentType("data.json"), "application/json");
  EXPECT_EQ(StaticContentType("manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(StaticContentType("robots.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(StaticContentType("font.woff2"), "font/woff2");
  EXPECT_EQ(StaticContentType("assets/app.js.map"), "application/json");
  EXPECT_EQ(StaticContentType("LICENSE"), "application/octet-stream");
  EXPECT_EQ(StaticContentType("archive.tar.gz"), "application/octet-stream");
  EXPECT_EQ(StaticContentType("dir.d/noext"), "application/octet-stream");
}

TEST(StaticCacheControl, HashedAssetsAreImmutableTheRestRevalidates) {
  EXPECT_EQ(StaticCacheControl("assets/index-4f9a1c.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(StaticCacheControl("assets/logo-77ab.svg"), "public, max-age=31536000, immutable");
  EXPECT_EQ(StaticCacheControl("index.html"), "no-cache");
  EXPECT_EQ(StaticCacheControl("sw.js"), "no-cache");
  EXPECT_EQ(StaticCacheControl("assets/sw.js"), "no-cache");
  EXPECT_EQ(StaticCacheControl("site.css"), "no-cache");
  EXPECT_EQ(StaticCacheControl("docs/assets/x.js"), "no-cache");
}

TEST(StaticDocuments, HtmlAndSvgGetSecurityHeaders) {
  EXPECT_TRUE(IsStaticDocument("index.html"));
  EXPECT_TRUE(IsStaticDocument("assets/logo.svg"));
  EXPECT_FALSE(IsStaticDocument("app.js"));
}

TEST(LooksLikeStaticFile, TellsFilesFromAppRoutes) {
  EXPECT_TRUE(LooksLikeStaticFile("assets/missing-chunk.js"));
  EXPECT_TRUE(LooksLikeStaticFile("assets/anything"));
  EXPECT_TRUE(LooksLikeStaticFile("favicon.ico"));
  EXPECT_FALSE(LooksLikeStaticFile("rooms/42"));
  EXPECT_FALSE(LooksLikeStaticFile("index.html/x"));
  EXPECT_FALSE(LooksLikeStaticFile("users/john.doe"));
}

}  // namespace
}  // namespace chatter::gateway
