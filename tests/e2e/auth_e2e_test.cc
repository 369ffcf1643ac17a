// Auth and Users sections of API.md, end to end: real binaries, HTTP through the gateway, every
// route and every error case the contract lists.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "absl/strings/escaping.h"
#include "libs/ids/clock.h"
#include "libs/jwt/jwt.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/shared_stack_test.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

const std::regex kRfc3339Millis(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

struct Reply {
  int status;
  json body;
  HttpReply raw;
};

class AuthE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    // A key the test knows, so it can forge tokens that differ in one property at a time.
    signing_key_ = new jwt::SigningKey(jwt::GenerateSigningKey("e2e-auth"));
    StartSharedStack(
        {.env = {{Component::kAuth,
                  {{"CHATTER_JWT_SIGNING_KEYS", jwt::FormatSigningKey(*signing_key_)}}}}});
  }
  static void TearDownTestSuite() {
    SharedStackTest::TearDownTestSuite();
    delete signing_key_;
    signing_key_ = nullptr;
  }

  static Reply Call(absl::string_view method, absl::string_view target, const json& body = nullptr,
                    HttpHeaders headers = {}) {
    std::string payload;
    if (!body.is_null()) {
      payload = body.dump();
      headers.emplace_back("Content-Type", "application/json");
    }
    absl::StatusOr<HttpReply> reply = HttpRequest(method, port(), target, headers, payload);
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return {0, nullptr, {}};
    json parsed = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
    return {reply->status, parsed, *reply};
  }

  static HttpHeaders Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  // A fresh account; names are unique per test so tests do not depend on each other.
  static json SignUp(const std::string& name, const std::string& password = "correct horse") {
    Reply reply =
        Call("POST", "/v1/auth/signup",
             {{"username", name}, {"email", name + "@example.com"}, {"password", password}});
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body;
  }

  static std::string FieldOf(const json& body) {
    if (!body.contains("error") || body["error"]["details"].empty()) return "";
    return body["error"]["details"][0]["field"];
  }

  static std::string MakeToken(
      const jwt::SigningKey& key, absl::Duration expires_in,
      const std::string& issuer = "chatterstack-auth", const std::string& audience = "chatterstack",
      const std::string& subject = "00000000-0000-7000-8000-000000000001") {
    jwt::Claims claims;
    claims.issuer = issuer;
    claims.audience = audience;
    claims.subject = subject;
    claims.session_id = "00000000-0000-7000-8000-000000000002";
    claims.token_id = "00000000-0000-7000-8000-000000000003";
    claims.type = "user";
    claims.username = "forged";
    claims.issued_at = absl::Now() - absl::Minutes(1);
    claims.expires_at = absl::Now() + expires_in;
    return jwt::Signer({key}).Sign(claims);
  }

  static inline jwt::SigningKey* signing_key_ = nullptr;
};

TEST_F(AuthE2eTest, SignUpAnswers201WithUserAndTokens) {
  Reply reply = Call("POST", "/v1/auth/signup",
                     {{"username", "Signup_One"},
                      {"email", "Signup.One@Example.com"},
                      {"password", "correct horse"}});
  ASSERT_EQ(reply.status, 201) << reply.raw.body;
  const json& body = reply.body;
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 900);
  EXPECT_TRUE(body["access_token"].is_string());
  EXPECT_TRUE(body["refresh_token"].is_string());
  EXPECT_EQ(body["user"]["username"], "signup_one");
  EXPECT_EQ(body["user"]["email"], "signup.one@example.com");
  EXPECT_EQ(body["user"]["id"].get<std::string>().size(), 36u);
  EXPECT_TRUE(std::regex_match(body["user"]["created_at"].get<std::string>(), kRfc3339Millis))
      << body["user"]["created_at"];
  EXPECT_TRUE(std::regex_match(body["user"]["updated_at"].get<std::string>(), kRfc3339Millis));
  EXPECT_FALSE(body["user"].contains("password_hash"));
}

TEST_F(AuthE2eTest, SignUpValidationIs400NamingTheField) {
  EXPECT_EQ(
      FieldOf(Call("POST", "/v1/auth/signup",
                   {{"username", "ab"}, {"email", "v1@example.com"}, {"password", "long enough"}})
                  .body),
      "username");
  EXPECT_EQ(FieldOf(Call("POST", "/v1/auth/signup",
                         {{"username", "has space"},
                          {"email", "v2@example.com"},
                          {"password", "long enough"}})
                        .body),
            "username");
  Reply email = Call("POST", "/v1/auth/signup",
                     {{"username", "valid_name"}, {"email", "nope"}, {"password", "long enough"}});
  EXPECT_EQ(email.status, 400);
  EXPECT_EQ(email.body["error"]["code"], "invalid_argument");
  EXPECT_EQ(FieldOf(email.body), "email");
  Reply password =
      Call("POST", "/v1/auth/signup",
           {{"username", "valid_name"}, {"email", "v3@example.com"}, {"password", "short"}});
  EXPECT_EQ(password.status, 400);
  EXPECT_EQ(FieldOf(password.body), "password");
  Reply long_password = Call("POST", "/v1/auth/signup",
                             {{"username", "valid_name"},
                              {"email", "v4@example.com"},
                              {"password", std::string(129, 'p')}});
  EXPECT_EQ(FieldOf(long_password.body), "password");
  EXPECT_EQ(Call("POST", "/v1/auth/signup", {{"username", 5}}).status, 400);
}

TEST_F(AuthE2eTest, MalformedBodiesAre400NotServerErrors) {
  absl::StatusOr<HttpReply> bad_json = HttpRequest(
      "POST", port(), "/v1/auth/signup", {{"Content-Type", "application/json"}}, "{\"username\":");
  ASSERT_TRUE(bad_json.ok());
  EXPECT_EQ(bad_json->status, 400);
  absl::StatusOr<HttpReply> wrong_type =
      HttpRequest("POST", port(), "/v1/auth/signup", {{"Content-Type", "text/plain"}},
                  R"({"username":"x","email":"x@example.com","password":"long enough"})");
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_EQ(wrong_type->status, 400);
  absl::StatusOr<HttpReply> bad_utf8 = HttpRequest(
      "POST", port(), "/v1/auth/signup", {{"Content-Type", "application/json"}},
      "{\"username\":\"\xff\xfe\",\"email\":\"u@example.com\",\"password\":\"long enough\"}");
  ASSERT_TRUE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8->status, 400);
}

TEST_F(AuthE2eTest, DuplicatesAre409NamingTheField) {
  SignUp("dup_user");
  Reply name = Call(
      "POST", "/v1/auth/signup",
      {{"username", "DUP_USER"}, {"email", "other_dup@example.com"}, {"password", "long enough"}});
  EXPECT_EQ(name.status, 409);
  EXPECT_EQ(name.body["error"]["code"], "already_exists");
  EXPECT_EQ(FieldOf(name.body), "username");
  Reply email = Call(
      "POST", "/v1/auth/signup",
      {{"username", "dup_user2"}, {"email", "DUP_USER@EXAMPLE.COM"}, {"password", "long enough"}});
  EXPECT_EQ(email.status, 409);
  EXPECT_EQ(FieldOf(email.body), "email");
}

TEST_F(AuthE2eTest, LoginByEmailUsernameOrEither) {
  SignUp("login_user");
  for (json identifier :
       {json{{"email", "LOGIN_USER@example.com"}}, json{{"username", "login_user"}},
        json{{"email_or_username", "login_user"}},
        json{{"email_or_username", "login_user@example.com"}}}) {
    identifier["password"] = "correct horse";
    Reply reply = Call("POST", "/v1/auth/login", identifier);
    EXPECT_EQ(reply.status, 200) << identifier << reply.raw.body;
    EXPECT_EQ(reply.body["user"]["username"], "login_user");
    EXPECT_EQ(reply.body["token_type"], "Bearer");
    EXPECT_TRUE(reply.body["refresh_token"].is_string());
  }
}

TEST_F(AuthE2eTest, LoginFailuresAre401WithOneGenericMessage) {
  SignUp("generic_user");
  Reply wrong_password =
      Call("POST", "/v1/auth/login", {{"username", "generic_user"}, {"password", "wrong horse"}});
  Reply unknown_user =
      Call("POST", "/v1/auth/login", {{"username", "no_such_user"}, {"password", "wrong horse"}});
  EXPECT_EQ(wrong_password.status, 401);
  EXPECT_EQ(unknown_user.status, 401);
  EXPECT_EQ(wrong_password.body["error"]["code"], "unauthenticated");
  EXPECT_EQ(wrong_password.body["error"]["message"], unknown_user.body["error"]["message"]);
  EXPECT_EQ(Call("POST", "/v1/auth/login", {{"password", "correct horse"}}).status, 400);
  EXPECT_EQ(Call("POST", "/v1/auth/login",
                 {{"email", "a@example.com"}, {"username", "generic_user"}, {"password", "x"}})
                .status,
            400);
}

TEST_F(AuthE2eTest, TenFailedLoginsForOneAccountAre429UntilTheWindowClosesKnownOrNot) {
  SignUp("stuffed_user");
  for (const std::string& username : {std::string("stuffed_user"), std::string("ghost_user")}) {
    json wrong = {{"username", username}, {"password", "wrong horse"}};
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(Call("POST", "/v1/auth/login", wrong).status, 401) << username << " " << i;
    }
  }
  Reply known =
      Call("POST", "/v1/auth/login", {{"username", "stuffed_user"}, {"password", "correct horse"}});
  Reply unknown =
      Call("POST", "/v1/auth/login", {{"username", "ghost_user"}, {"password", "wrong horse"}});
  for (const Reply* reply : {&known, &unknown}) {
    EXPECT_EQ(reply->status, 429) << reply->raw.body;
    EXPECT_EQ(reply->body["error"]["code"], "resource_exhausted");
    // Until the window opened by the first failure closes: 15 minutes less the test's time.
    int retry_after = std::stoi(reply->raw.Header("Retry-After"));
    EXPECT_GT(retry_after, 840);
    EXPECT_LE(retry_after, 900);
  }
  EXPECT_EQ(known.body["error"]["message"], unknown.body["error"]["message"]);
  // Another account is not affected.
  SignUp("bystander_user");
  EXPECT_EQ(Call("POST", "/v1/auth/login",
                 {{"username", "bystander_user"}, {"password", "correct horse"}})
                .status,
            200);
}

TEST_F(AuthE2eTest, RefreshRotatesAndReuseRevokesTheFamily) {
  json first = SignUp("refresh_user");
  Reply second = Call("POST", "/v1/auth/refresh", {{"refresh_token", first["refresh_token"]}});
  ASSERT_EQ(second.status, 200) << second.raw.body;
  EXPECT_NE(second.body["refresh_token"], first["refresh_token"]);
  EXPECT_TRUE(second.body["access_token"].is_string());
  EXPECT_EQ(Call("GET", "/v1/me", nullptr, Bearer(second.body["access_token"])).status, 200);

  // Another login is another family and must survive the reuse below.
  Reply other =
      Call("POST", "/v1/auth/login", {{"username", "refresh_user"}, {"password", "correct horse"}});
  ASSERT_EQ(other.status, 200);

  Reply reused = Call("POST", "/v1/auth/refresh", {{"refresh_token", first["refresh_token"]}});
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(
      Call("POST", "/v1/auth/refresh", {{"refresh_token", second.body["refresh_token"]}}).status,
      401);
  EXPECT_EQ(
      Call("POST", "/v1/auth/refresh", {{"refresh_token", other.body["refresh_token"]}}).status,
      200);
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", {{"refresh_token", "garbage"}}).status, 401);
}

TEST_F(AuthE2eTest, LogoutRevokesThatSession) {
  json session = SignUp("logout_user");
  std::string access = session["access_token"];
  EXPECT_EQ(Call("POST", "/v1/auth/logout", {{"refresh_token", session["refresh_token"]}}).status,
            401);  // Authenticated route.
  Reply out = Call("POST", "/v1/auth/logout", {{"refresh_token", session["refresh_token"]}},
                   Bearer(access));
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.raw.body.empty());
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", {{"refresh_token", session["refresh_token"]}}).status,
            401);
}

TEST_F(AuthE2eTest, LogoutAllRevokesEverySession) {
  json first = SignUp("logout_all_user");
  Reply second = Call("POST", "/v1/auth/login",
                      {{"username", "logout_all_user"}, {"password", "correct horse"}});
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Call("POST", "/v1/auth/logout_all").status, 401);
  EXPECT_EQ(Call("POST", "/v1/auth/logout_all", nullptr, Bearer(first["access_token"])).status,
            204);
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", {{"refresh_token", first["refresh_token"]}}).status,
            401);
  EXPECT_EQ(
      Call("POST", "/v1/auth/refresh", {{"refresh_token", second.body["refresh_token"]}}).status,
      401);
}

TEST_F(AuthE2eTest, MeWithEitherHeader) {
  json session = SignUp("me_user");
  std::string token = session["access_token"];
  Reply bearer = Call("GET", "/v1/me", nullptr, Bearer(token));
  ASSERT_EQ(bearer.status, 200) << bearer.raw.body;
  EXPECT_EQ(bearer.body["id"], session["user"]["id"]);
  EXPECT_EQ(bearer.body["username"], "me_user");
  EXPECT_EQ(bearer.body["email"], "me_user@example.com");
  EXPECT_TRUE(bearer.body.contains("created_at"));
  EXPECT_TRUE(bearer.body.contains("updated_at"));
  Reply x_auth = Call("GET", "/v1/me", nullptr, {{"X-Auth-Token", token}});
  EXPECT_EQ(x_auth.status, 200);
  EXPECT_EQ(x_auth.body, bearer.body);
  Reply same = Call("GET", "/v1/me", nullptr,
                    {{"X-Auth-Token", token}, {"Authorization", "Bearer " + token}});
  EXPECT_EQ(same.status, 200);
  Reply both = Call("GET", "/v1/me", nullptr,
                    {{"X-Auth-Token", token}, {"Authorization", "Bearer something-else"}});
  EXPECT_EQ(both.status, 400);
  // One header twice with two identities: 400 naming it (a proxy keeping the last copy would
  // see another user than one keeping the first).
  json other = SignUp("me_user_other");
  std::string other_token = other["access_token"];
  for (const std::string& header : {std::string("Authorization"), std::string("X-Auth-Token")}) {
    std::string prefix = header == "Authorization" ? "Bearer " : "";
    Reply twice =
        Call("GET", "/v1/me", nullptr, {{header, prefix + token}, {header, prefix + other_token}});
    EXPECT_EQ(twice.status, 400) << header;
    EXPECT_EQ(twice.body["error"]["details"][0]["field"], header) << twice.raw.body;
  }
  EXPECT_EQ(Call("GET", "/v1/me").status, 401);
}

TEST_F(AuthE2eTest, BadTokensAre401) {
  json session = SignUp("token_user");
  std::string token = session["access_token"];
  std::string header = token.substr(0, token.find('.'));
  std::string payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  std::string signature = token.substr(token.rfind('.') + 1);

  std::string none_header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  std::string hs256_header =
      absl::WebSafeBase64Escape(R"({"alg":"HS256","typ":"JWT","kid":"e2e-auth"})");
  std::string tampered_payload;
  absl::WebSafeBase64Unescape(payload, &tampered_payload);
  size_t at = tampered_payload.find("token_user");
  ASSERT_NE(at, std::string::npos) << tampered_payload;
  tampered_payload =
      tampered_payload.substr(0, at) + "admin_user" + tampered_payload.substr(at + 10);
  std::vector<std::string> bad = {
      none_header + "." + payload + ".",
      hs256_header + "." + payload + "." + signature,
      header + "." + absl::WebSafeBase64Escape(tampered_payload) + "." + signature,
      header + "." + payload + "." + (signature[0] == 'A' ? "B" : "A") + signature.substr(1),
      MakeToken(*signing_key_, -absl::Minutes(5)),                 // expired
      MakeToken(*signing_key_, absl::Minutes(5), "someone-else"),  // wrong issuer
      MakeToken(*signing_key_, absl::Minutes(5), "chatterstack-auth", "other-audience"),
      MakeToken(jwt::GenerateSigningKey("e2e-auth"), absl::Minutes(5)),  // same kid, other key
      MakeToken(jwt::GenerateSigningKey("unknown"), absl::Minutes(5)),   // unknown kid
      "not-a-jwt",
  };
  for (const std::string& forged : bad) {
    Reply reply = Call("GET", "/v1/me", nullptr, Bearer(forged));
    EXPECT_EQ(reply.status, 401) << forged;
    EXPECT_EQ(reply.body["error"]["code"], "unauthenticated");
  }
  // The same machinery accepts a token it should.
  EXPECT_EQ(Call("GET", "/v1/me", nullptr, Bearer(token)).status, 200);
}

TEST_F(AuthE2eTest, UsersLookupByEmailOrUsernameIsPublic) {
  json session = SignUp("lookup_user");
  HttpHeaders auth = Bearer(session["access_token"]);
  Reply by_email = Call("GET", "/v1/users?email=LOOKUP_USER%40example.com", nullptr, auth);
  ASSERT_EQ(by_email.status, 200) << by_email.raw.body;
  EXPECT_EQ(by_email.body["id"], session["user"]["id"]);
  EXPECT_EQ(by_email.body["username"], "lookup_user");
  EXPECT_TRUE(by_email.body.contains("created_at"));
  EXPECT_FALSE(by_email.body.contains("email"));  // Public user: no email.
  Reply by_name = Call("GET", "/v1/users?username=lookup_user", nullptr, auth);
  EXPECT_EQ(by_name.status, 200);
  EXPECT_EQ(by_name.body, by_email.body);
  Reply missing = Call("GET", "/v1/users?username=nobody_here", nullptr, auth);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"]["code"], "not_found");
  EXPECT_EQ(Call("GET", "/v1/users?username=lookup_user").status, 401);
  EXPECT_EQ(Call("GET", "/v1/users?colour=blue", nullptr, auth).status, 400);
}

TEST_F(AuthE2eTest, UsersById) {
  json session = SignUp("byid_user");
  HttpHeaders auth = Bearer(session["access_token"]);
  std::string id = session["user"]["id"];
  Reply found = Call("GET", "/v1/users/" + id, nullptr, auth);
  ASSERT_EQ(found.status, 200) << found.raw.body;
  EXPECT_EQ(found.body["id"], id);
  EXPECT_EQ(found.body["username"], "byid_user");
  EXPECT_FALSE(found.body.contains("email"));
  EXPECT_EQ(Call("GET", "/v1/users/00000000-0000-7000-8000-00000000beef", nullptr, auth).status,
            404);
  EXPECT_EQ(Call("GET", "/v1/users/not-a-uuid", nullptr, auth).status, 400);
}

TEST_F(AuthE2eTest, JwksPublishesTheVerificationKeys) {
  Reply reply = Call("GET", "/v1/auth/jwks");
  ASSERT_EQ(reply.status, 200) << reply.raw.body;
  ASSERT_EQ(reply.body["keys"].size(), 1u);
  const json& key = reply.body["keys"][0];
  EXPECT_EQ(key["kid"], "e2e-auth");
  EXPECT_EQ(key["kty"], "OKP");
  EXPECT_EQ(key["crv"], "Ed25519");
  EXPECT_EQ(key["alg"], "EdDSA");
  EXPECT_EQ(key["x"], jwt::ToJwk(jwt::PublicKeyOf(*signing_key_))["x"]);
}

}  // namespace
}  // namespace chatter::e2e
