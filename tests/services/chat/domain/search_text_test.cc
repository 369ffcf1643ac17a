// Search helpers: user queries reach to_tsquery() only as quoted words joined by '&' (the last a
// prefix), whatever operators or quotes they hold; ts_headline() output becomes escaped HTML whose
// <mark> tags are always balanced, so message text cannot inject markup.
#include "services/chat/domain/search_text.h"

#include <gtest/gtest.h>

#include <string>

namespace chatter::chat {
namespace {

TEST(SearchQueryTextTest, QuotesWordsAndMakesTheLastAPrefix) {
  EXPECT_EQ(SearchQueryText("hello, wor"), "'hello' & 'wor':*");
  EXPECT_EQ(SearchQueryText("hello"), "'hello':*");
  EXPECT_EQ(SearchQueryText("  Hello   World  "), "'Hello' & 'World':*");
  EXPECT_EQ(SearchQueryText("2024 v2"), "'2024' & 'v2':*");
}

TEST(SearchQueryTextTest, NoWordsMeansNoQuery) {
  EXPECT_EQ(SearchQueryText(""), std::nullopt);
  EXPECT_EQ(SearchQueryText("   \t\n"), std::nullopt);
  EXPECT_EQ(SearchQueryText("&|!():*"), std::nullopt);
  EXPECT_EQ(SearchQueryText("'\"\\<->_-+.,;"), std::nullopt);
}

TEST(SearchQueryTextTest, OperatorsSeparateWords) {
  EXPECT_EQ(SearchQueryText("foo & bar | !baz"), "'foo' & 'bar' & 'baz':*");
  EXPECT_EQ(SearchQueryText("a:*b"), "'a' & 'b':*");
  EXPECT_EQ(SearchQueryText("foo<->bar"), "'foo' & 'bar':*");
  EXPECT_EQ(SearchQueryText("(foo|bar)&!(baz)"), "'foo' & 'bar' & 'baz':*");
  EXPECT_EQ(SearchQueryText("foo:A bar:*"), "'foo' & 'A' & 'bar':*");
  EXPECT_EQ(SearchQueryText(std::string("foo\0bar", 7)), "'foo' & 'bar':*");
}

TEST(SearchQueryTextTest, QuotesAndBackslashesNeverReachTheQuery) {
  EXPECT_EQ(SearchQueryText("it's \"quoted\""), "'it' & 's' & 'quoted':*");
  EXPECT_EQ(SearchQueryText("'foo"), "'foo':*");
  EXPECT_EQ(SearchQueryText("foo'"), "'foo':*");
  EXPECT_EQ(SearchQueryText("o'reilly"), "'o' & 'reilly':*");
  EXPECT_EQ(SearchQueryText("foo\\' & bar''"), "'foo' & 'bar':*");
  EXPECT_EQ(SearchQueryText("x'); DROP TABLE messages; --"),
            "'x' & 'DROP' & 'TABLE' & 'messages':*");
}

TEST(SearchQueryTextTest, NonAsciiCharactersArePartOfWords) {
  EXPECT_EQ(SearchQueryText("caf\u00e9 na\u00efve \u65e5\u672c\u8a9e"),
            "'caf\u00e9' & 'na\u00efve' & '\u65e5\u672c\u8a9e':*");
  EXPECT_EQ(SearchQueryText("\u00dcber-\u00e9t\u00e9"), "'\u00dcber' & '\u00e9t\u00e9':*");
  EXPECT_EQ(SearchQueryText("\U0001F44D"), "'\U0001F44D':*");
}

TEST(SearchQueryTextTest, AtMostSixteenWords) {
  std::string q;
  std::string expected;
  for (int i = 1; i <= 20; ++i) {
    q += "w" + std::to_string(i) + " ";
    if (i <= kMaxSearchWords) {
      if (i > 1) expected += " & ";
      expected += "'w" + std::to_string(i) + "'";
    }
  }
  expected += ":*";
  EXPECT_EQ(SearchQueryText(q), expected);
  EXPECT_EQ(SearchQueryText(q).value().find("w17"), std::string::npos);
}

TEST(SearchQueryTextTest, InvalidUtf8MeansNoQuery) {
  EXPECT_EQ(SearchQueryText("foo \xff"), std::nullopt);
  EXPECT_EQ(SearchQueryText("caf\xc3"), std::nullopt);           // Truncated sequence.
  EXPECT_EQ(SearchQueryText("\xc3' & 'x"), std::nullopt);        // Lead byte before a quote.
  EXPECT_EQ(SearchQueryText("a \xed\xa0\x80 b"), std::nullopt);  // A surrogate.
  EXPECT_EQ(SearchQueryText("\xc0\xa7"), std::nullopt);          // Overlong '\''.
}

std::string Marked(absl::string_view text) {
  return std::string(1, kMarkStart) + std::string(text) + std::string(1, kMarkStop);
}

TEST(SnippetHtmlTest, MarksMatches) {
  EXPECT_EQ(SnippetHtml("hello"), "hello");
  EXPECT_EQ(SnippetHtml(""), "");
  EXPECT_EQ(SnippetHtml(Marked("foo") + " bar " + Marked("baz")),
            "<mark>foo</mark> bar <mark>baz</mark>");
  EXPECT_EQ(SnippetHtml("caf\u00e9 " + Marked("\U0001F44D")), "caf\u00e9 <mark>\U0001F44D</mark>");
}

TEST(SnippetHtmlTest, EscapesMarkupInsideAndOutsideMatches) {
  EXPECT_EQ(SnippetHtml("<script>alert(1)</script> " + Marked("hi")),
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>hi</mark>");
  EXPECT_EQ(SnippetHtml(Marked("<script>alert(1)</script>")),
            "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>");
  EXPECT_EQ(SnippetHtml("<mark>fake</mark>"), "&lt;mark&gt;fake&lt;/mark&gt;");
  EXPECT_EQ(SnippetHtml("<img src=\"x\" onerror='a()'>"),
            "&lt;img src=&quot;x&quot; onerror=&#39;a()&#39;&gt;");
  EXPECT_EQ(SnippetHtml("a & b &amp; c"), "a &amp; b &amp;amp; c");
}

TEST(SnippetHtmlTest, UnbalancedMarkersAreRepaired) {
  EXPECT_EQ(SnippetHtml("a\x02"
                        "b"),
            "ab");
  EXPECT_EQ(SnippetHtml("\x01"
                        "a"),
            "<mark>a</mark>");
  EXPECT_EQ(SnippetHtml("\x01"
                        "a\x01"
                        "b\x02"
                        "c\x02"),
            "<mark>ab</mark>c");
  EXPECT_EQ(SnippetHtml("\x02\x02\x01"
                        "x\x02\x02\x01"),
            "<mark>x</mark><mark></mark>");
}

TEST(SnippetHtmlTest, DropsControlCharactersButTabAndNewline) {
  EXPECT_EQ(SnippetHtml(std::string("a\tb\nc\rd\x03"
                                    "e\x1f"
                                    "f\0g\x7f",
                                    14)),
            "a\tb\ncdefg\x7f");
}

}  // namespace
}  // namespace chatter::chat
