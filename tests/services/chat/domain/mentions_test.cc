// Mention extraction: which "@name"s count (start of content or after a non-word character), which
// do not (e-mail addresses, names inside words, too short or too long), case folding, duplicates,
// the limit and sentence punctuation after a name.
#include "services/chat/domain/mentions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Mentions(absl::string_view content) {
  return MentionedUsernames(content, 100);
}

TEST(MentionsTest, FindsNamesAfterNonWordCharacters) {
  EXPECT_THAT(Mentions("@bob hi"), ElementsAre("bob"));
  EXPECT_THAT(Mentions("hi @bob and @alice"), ElementsAre("bob", "alice"));
  EXPECT_THAT(Mentions("(@bob) [@amy], \"@joe\"\n@kim\t@lee"),
              ElementsAre("bob", "amy", "joe", "kim", "lee"));
  EXPECT_THAT(Mentions("@bob.smith @a_b-c @x.y_z9"), ElementsAre("bob.smith", "a_b-c", "x.y_z9"));
  EXPECT_THAT(Mentions("no mentions here"), IsEmpty());
  EXPECT_THAT(Mentions(""), IsEmpty());
  EXPECT_THAT(Mentions("@"), IsEmpty());
}

TEST(MentionsTest, EmailAddressesAreNotMentions) {
  EXPECT_THAT(Mentions("mail bob@example.com please"), IsEmpty());
  EXPECT_THAT(Mentions("@bob@example.com"), IsEmpty());
  EXPECT_THAT(Mentions("@bob@x.com"), IsEmpty());
  EXPECT_THAT(Mentions("@bob.@x.com"), IsEmpty());
  EXPECT_THAT(Mentions("write @bob@x.com or @amy"), ElementsAre("amy"));
}

TEST(MentionsTest, NamesInsideWordsAreNotMentions) {
  EXPECT_THAT(Mentions("foo@bar"), IsEmpty());
  EXPECT_THAT(Mentions("9@bob _@bob .@bob -@bob @@bob"), IsEmpty());
  EXPECT_THAT(Mentions("\xC3\xA9@bob"), IsEmpty());          // é@bob
  EXPECT_THAT(Mentions("\xC2\xAB@bob\xC2\xBB"), IsEmpty());  // «@bob»
}

TEST(MentionsTest, MatchesIgnoringCaseAndLowerCases) {
  EXPECT_THAT(Mentions("@Bob"), ElementsAre("bob"));
  EXPECT_THAT(Mentions("@BOB.Smith"), ElementsAre("bob.smith"));
}

TEST(MentionsTest, DistinctInOrderOfFirstAppearance) {
  EXPECT_THAT(Mentions("@carol @bob @Carol @alice @BOB"), ElementsAre("carol", "bob", "alice"));
  EXPECT_THAT(Mentions("@bob @bob. @bob-"), ElementsAre("bob"));
}

TEST(MentionsTest, AtMostLimitDistinctNames) {
  EXPECT_THAT(MentionedUsernames("@amy @bob @cat", 2), ElementsAre("amy", "bob"));
  EXPECT_THAT(MentionedUsernames("@amy @amy @amy @bob @cat", 2), ElementsAre("amy", "bob"));
  EXPECT_THAT(MentionedUsernames("@amy @bob", 0), IsEmpty());
  EXPECT_THAT(MentionedUsernames("@amy", 1), ElementsAre("amy"));
}

TEST(MentionsTest, TrailingSentencePunctuationIsNotPartOfTheName) {
  EXPECT_THAT(Mentions("hi @bob."), ElementsAre("bob"));
  EXPECT_THAT(Mentions("hi @bob..."), ElementsAre("bob"));
  EXPECT_THAT(Mentions("@bob- @amy.-."), ElementsAre("bob", "amy"));
  EXPECT_THAT(Mentions("@bob, @amy! @joe? @kim: @lee's"),
              ElementsAre("bob", "amy", "joe", "kim", "lee"));
  EXPECT_THAT(Mentions("@bob_"), ElementsAre("bob_"));  // '_' is not punctuation.
}

TEST(MentionsTest, NamesAreThreeToThirtyTwoCharacters) {
  EXPECT_THAT(Mentions("@ab"), IsEmpty());
  EXPECT_THAT(Mentions("@ab."), IsEmpty());  // Two characters once the '.' is gone.
  EXPECT_THAT(Mentions("@abc"), ElementsAre("abc"));
  std::string max(32, 'x');
  EXPECT_THAT(Mentions("@" + max), ElementsAre(max));
  EXPECT_THAT(Mentions("@" + max + "."), ElementsAre(max));
  EXPECT_THAT(Mentions("@" + max + "y"), IsEmpty());  // Not truncated to 32.
  EXPECT_THAT(Mentions("@" + std::string(33, 'x') + " @bob"), ElementsAre("bob"));
}

}  // namespace
}  // namespace chatter::chat
