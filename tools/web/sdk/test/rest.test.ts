// The REST client against the real gateway: sign-up, login, refresh, typed errors, both ways
// of sending the token, rooms and messages.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, ChatterClient } from "../src/index.js";
import { gatewayUrl, kPassword, needsGateway, signUp } from "./helpers.js";

test("sign up, log in and refresh", needsGateway, async () => {
  const { client, username, user } = await signUp("rest");
  assert.equal(user.username, username);
  assert.equal((await client.me()).id, user.id);

  const second = new ChatterClient({ baseUrl: gatewayUrl });
  const login = await second.login({ email_or_username: username, password: kPassword });
  assert.equal(login.user.id, user.id);
  assert.equal(login.token_type, "Bearer");
  assert.ok(login.expires_in > 0);

  const before = second.currentTokens!;
  const refreshed = await second.refresh();
  assert.notEqual(refreshed.access_token, before.accessToken);
  assert.notEqual(refreshed.refresh_token, before.refreshToken);
  assert.equal(second.currentTokens!.accessToken, refreshed.access_token);
  assert.equal((await second.me()).id, user.id);

  // Refresh tokens are single use: concurrent refreshes share one request, so none is reused.
  const [a, b] = await Promise.all([second.refreshAccessToken(), second.refreshAccessToken()]);
  assert.equal(a, b);
  assert.equal((await second.me()).username, username);

  await second.logout();
  assert.equal(second.currentTokens, null);
});

test("errors carry the API's envelope", needsGateway, async () => {
  const { username } = await signUp("dup");
  const client = new ChatterClient({ baseUrl: gatewayUrl });
  const duplicate = await client
    .signUp({ username, email: `${username}.other@example.com`, password: kPassword })
    .then(
      () => assert.fail("duplicate sign-up succeeded"),
      (error: unknown) => error,
    );
  assert.ok(duplicate instanceof ApiError);
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.code, "already_exists");
  assert.equal(duplicate.field, "username");
  assert.ok(duplicate.requestId);

  const wrong = await client.login({ username, password: "not the password" }).then(
    () => assert.fail("login with a wrong password succeeded"),
    (error: unknown) => error,
  );
  assert.ok(wrong instanceof ApiError);
  assert.equal(wrong.status, 401);
  assert.equal(wrong.code, "unauthenticated");

  const invalid = await client.signUp({ username: "x", email: "not an email", password: "short" }).then(
    () => assert.fail("an invalid sign-up succeeded"),
    (error: unknown) => error,
  );
  assert.ok(invalid instanceof ApiError);
  assert.equal(invalid.status, 400);
  assert.equal(invalid.code, "invalid_argument");
  assert.ok(invalid.field, "names the field");
});

test("rooms, members and messages, with X-Auth-Token", needsGateway, async () => {
  const owner = await signUp("owner", { authHeader: "x-auth-token" });
  const guest = await signUp("guest");
  const room = await owner.client.createRoom({ name: "sdk rest" });
  assert.equal(room.visibility, "public");
  assert.equal(room.last_seq, 0);
  assert.equal((await guest.client.getRoom(room.id)).name, "sdk rest");
  await guest.client.joinRoom(room.id);
  const members = await owner.client.listMembers(room.id);
  assert.deepEqual(members.members.map((m) => m.user_id).sort(), [owner.user.id, guest.user.id].sort());

  const first = await owner.client.sendMessage(room.id, { content: "  hello  ", client_msg_id: "rest-1" });
  assert.equal(first.content, "hello");
  assert.equal(first.seq, 1);
  const again = await owner.client.sendMessage(room.id, { content: "hello", client_msg_id: "rest-1" });
  assert.equal(again.id, first.id, "the same client_msg_id answers the first message");
  const second = await guest.client.sendMessage(room.id, { content: "hi" });
  assert.equal(second.seq, 2);

  const edited = await owner.client.editMessage(room.id, first.id, "hello, edited");
  assert.equal(edited.edited, true);
  await guest.client.deleteMessage(room.id, second.id);
  const page = await guest.client.listMessages(room.id, { limit: 10 });
  assert.deepEqual(
    page.messages.map((m) => [m.seq, m.content, m.deleted]),
    [
      [2, "", true],
      [1, "hello, edited", false],
    ],
  );
  const after = await guest.client.listMessages(room.id, { after: 0 });
  assert.deepEqual(
    after.messages.map((m) => m.seq),
    [1, 2],
  );

  await guest.client.markRead(room.id, 1);
  const listed = (await guest.client.listRooms()).rooms.find((r) => r.id === room.id);
  assert.ok(listed);
  assert.equal(listed.last_seq, 2);
  assert.equal(listed.last_message?.seq, 2);

  await guest.client.leaveRoom(room.id);
  assert.equal(
    (await guest.client.listRooms()).rooms.some((r) => r.id === room.id),
    false,
  );
  const notMember = await guest.client.createRoom({ name: "" }).then(
    () => assert.fail("an empty room name was accepted"),
    (error: unknown) => error,
  );
  assert.ok(notMember instanceof ApiError);
  assert.equal(notMember.status, 400);
  assert.equal(notMember.field, "name");
});

test("the public room directory: public rooms only, filtered and paged", needsGateway, async () => {
  const owner = await signUp("dirowner");
  const browser = await signUp("dirbrowser");
  // A tag no other test's rooms carry, so the filter sees only these.
  const tag = `dir${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const older = await owner.client.createRoom({ name: `${tag} Alpha` });
  await owner.client.createRoom({ name: `${tag} secret`, visibility: "private" });
  const newer = await owner.client.createRoom({ name: `${tag} beta` });

  const all = await browser.client.listPublicRooms({ q: tag.toUpperCase() });
  assert.deepEqual(all.rooms.map((r) => r.id), [newer.id, older.id]);
  assert.equal(all.next_before, null);
  assert.ok(all.rooms.every((r) => r.visibility === "public" && r.member_count === 1));

  const first = await browser.client.listPublicRooms({ q: tag, limit: 1 });
  assert.deepEqual(first.rooms.map((r) => r.id), [newer.id]);
  assert.ok(first.next_before);
  const second = await browser.client.listPublicRooms({ q: tag, limit: 1, before: first.next_before! });
  assert.deepEqual(second.rooms.map((r) => r.id), [older.id]);
  assert.equal(second.next_before, null);

  const tooLong = await browser.client.listPublicRooms({ q: "x".repeat(101) }).then(
    () => assert.fail("a 101-character filter was accepted"),
    (error: unknown) => error,
  );
  assert.ok(tooLong instanceof ApiError);
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.field, "q");
});
