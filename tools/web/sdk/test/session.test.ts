// ChatterSession against the real gateway: ordered delivery between two users, sends that
// survive a lost ack, resume with since_seq, token hand-over with `authenticate`, close codes
// (4401 refresh, logout, 1008/4xxx final, 1012 retried) and resync_required.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { ChatterClient, type ChatterSession, type Message } from "../src/index.js";
import {
  gatewayUrl,
  kPassword,
  needsGateway,
  nextEvent,
  openSession,
  signUp,
  uniqueName,
  waitFor,
} from "./helpers.js";

type Person = Awaited<ReturnType<typeof signUp>>;
// Two users for the whole file (a dev stack allows few sign-ups per hour); rooms are per test.
let people: Promise<{ alice: Person; bob: Person }> | undefined;
function users() {
  people ??= (async () => ({ alice: await signUp("alice"), bob: await signUp("bob") }))();
  return people;
}

const sessions: ChatterSession[] = [];
after(() => {
  for (const session of sessions) session.close();
});
async function open(client: ChatterClient, options: Parameters<typeof openSession>[1] = {}) {
  const opened = await openSession(client, options);
  sessions.push(opened.session);
  return opened;
}

async function sharedRoom(owner: Person, guest: Person): Promise<string> {
  const room = await owner.client.createRoom({ name: uniqueName("room") });
  await guest.client.joinRoom(room.id);
  return room.id;
}

async function loginAgain(person: Person): Promise<ChatterClient> {
  const client = new ChatterClient({ baseUrl: gatewayUrl });
  await client.login({ username: person.username, password: kPassword });
  return client;
}

// The messages of `roomId` the session hands to the application, in the order it does.
function collect(session: ChatterSession, roomId: string): Message[] {
  const got: Message[] = [];
  session.on("message", (message) => {
    if (message.room_id === roomId) got.push(message);
  });
  return got;
}

const replayLimit = Number(process.env.CHATTER_SDK_REPLAY_LIMIT ?? 0);
const seqs = (messages: Message[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("two sessions exchange messages, each delivered once and in seq order", needsGateway, async () => {
  const { alice, bob } = await users();
  const room = await sharedRoom(alice, bob);
  const a = await open(alice.client);
  const b = await open(bob.client);
  assert.equal(a.session.ready?.user_id, alice.user.id);
  // A second subscribe while the first is on its way shares its answer.
  await Promise.all([a.session.subscribe(room), a.session.subscribe(room), b.session.subscribe(room)]);
  assert.equal(await a.session.subscribe(room), 0);

  // Typed server events: typing relayed to the others, a member joining.
  const typing = nextEvent(a.session, "typing_start", (t) => t.room_id === room);
  await b.session.typing(room, true);
  assert.deepEqual(await typing, { room_id: room, user_id: bob.user.id, username: bob.username });
  const other = await alice.client.createRoom({ name: uniqueName("other") });
  await a.session.subscribe(other.id);
  const joined = nextEvent(a.session, "member_joined", (m) => m.room_id === other.id);
  await bob.client.joinRoom(other.id);
  assert.equal((await joined).user_id, bob.user.id);
  const gotA = collect(a.session, room);
  const gotB = collect(b.session, room);

  const sends: Promise<Message>[] = [];
  for (let i = 0; i < 15; i++) {
    sends.push(a.session.send(room, `from alice ${i}`));
    sends.push(b.session.send(room, `from bob ${i}`));
  }
  const saved = await Promise.all(sends);
  assert.deepEqual(
    saved.map((m) => m.seq).sort((x, y) => x - y),
    range(1, 30),
  );
  await waitFor("30 messages on both sessions", () => gotA.length >= 30 && gotB.length >= 30);
  await Promise.all([a.session.ping(), b.session.ping()]); // anything still in flight arrives first
  assert.deepEqual(seqs(gotA), range(1, 30));
  assert.deepEqual(seqs(gotB), range(1, 30));
  const alicesOwn = gotB.filter((m) => m.sender_id === alice.user.id).map((m) => m.content);
  assert.deepEqual(
    alicesOwn,
    range(0, 14).map((i) => `from alice ${i}`),
  );
  assert.equal(a.session.lastSeq(room), 30);
});

test("a send whose ack was lost is sent again after the reconnect and saved once", needsGateway, async () => {
  const { alice, bob } = await users();
  const room = await sharedRoom(alice, bob);
  const a = await open(alice.client);
  const b = await open(bob.client);
  await Promise.all([a.session.subscribe(room), b.session.subscribe(room)]);
  const gotA = collect(a.session, room);
  const gotB = collect(b.session, room);

  a.control.loseNextSendAck = true;
  const clientMsgId = a.session.newClientMsgId();
  const disconnected = nextEvent(a.session, "disconnected");
  const message = await a.session.send(room, "exactly once", { clientMsgId });
  assert.equal((await disconnected).code, 1006);
  assert.equal(message.client_msg_id, clientMsgId);
  assert.equal(message.seq, 1);
  const sentWithId = a.control.sockets.map(
    (s) => s.sent.filter((f) => f.event === "send_message" && f.data?.client_msg_id === clientMsgId).length,
  );
  assert.deepEqual(sentWithId.slice(0, 2), [1, 1], "sent on the first connection and again on the second");

  await waitFor("the message on both sessions", () => gotA.length >= 1 && gotB.length >= 1);
  await Promise.all([a.session.ping(), b.session.ping()]);
  assert.deepEqual(seqs(gotA), [1]);
  assert.deepEqual(seqs(gotB), [1]);
  const history = await bob.client.listMessages(room, { after: 0 });
  assert.deepEqual(
    history.messages.map((m) => [m.seq, m.client_msg_id]),
    [[1, clientMsgId]],
  );
  assert.deepEqual(a.session.pendingSends(), []);
});

test("a dropped connection resumes with since_seq and loses nothing", needsGateway, async () => {
  const { alice, bob } = await users();
  const room = await sharedRoom(alice, bob);
  const a = await open(alice.client);
  await a.session.subscribe(room);
  const gotA = collect(a.session, room);
  for (let i = 0; i < 3; i++) await bob.client.sendMessage(room, { content: `before ${i}` });
  await waitFor("the first three", () => gotA.length >= 3);

  // The network goes away; reconnects fail until it is back (backoff with jitter meanwhile).
  a.control.refuseConnections = true;
  const disconnected = nextEvent(a.session, "disconnected");
  a.control.latest().kill(1006);
  await disconnected;
  // Fewer than the replay limit (CHATTER_SDK_REPLAY_LIMIT; the gateway's default is 500), so the
  // gateway replays them all instead of answering resync_required.
  const away = replayLimit > 0 ? Math.min(replayLimit - 1, 10) : 10;
  for (let i = 0; i < away; i++) await bob.client.sendMessage(room, { content: `while away ${i}` });
  await waitFor("two refused reconnects", () => a.control.sockets.length >= 3);
  assert.equal(a.session.state, "reconnecting");
  const ready = nextEvent(a.session, "ready");
  a.control.refuseConnections = false;
  await ready;

  await waitFor(
    "every message",
    () => gotA.length >= 3 + away,
    10_000,
    () => {
      const last = a.control.latest();
      return `got ${JSON.stringify(seqs(gotA))}; the last connection sent ${JSON.stringify(last.sent)}, received ${last.received.join("\n")}`;
    },
  );
  await a.session.ping();
  assert.deepEqual(seqs(gotA), range(1, 3 + away));
  const subscribe = a.control.latest().sent.find((f) => f.event === "subscribe");
  assert.deepEqual(subscribe?.data, { room_id: room, since_seq: 3 });
  await bob.client.sendMessage(room, { content: "live again" });
  await waitFor("the live message", () => gotA.length >= 4 + away);
  assert.equal(gotA[3 + away].content, "live again");
});

test(
  "refreshed tokens are handed over with authenticate, also before they expire",
  needsGateway,
  async () => {
    const { alice } = await users();
    const client = await loginAgain(alice);
    const { session } = await open(client);
    const handedOver = nextEvent(session, "authenticated");
    const before = client.currentTokens!.accessToken;
    await client.refresh(); // the app refreshed over REST: the session follows
    const ack = await handedOver;
    assert.equal(ack.user_id, alice.user.id);
    assert.ok(Date.parse(ack.expires_at) > Date.now());
    assert.notEqual(client.currentTokens!.accessToken, before);
    assert.equal((await session.authenticate()).user_id, alice.user.id);

    // Refresh ~1.5 s after connecting, as if the token were about to expire.
    const lifetime = client.accessTokenExpiresAt()! - Date.now();
    const early = await open(client, { refreshBeforeExpiryMs: lifetime - 1500 });
    const token = client.currentTokens!.accessToken;
    const auto = await nextEvent(early.session, "authenticated");
    assert.equal(auto.user_id, alice.user.id);
    assert.notEqual(client.currentTokens!.accessToken, token, "the session refreshed the token");
    const room = await alice.client.createRoom({ name: uniqueName("auth") });
    await early.session.subscribe(room.id);
    assert.equal((await early.session.send(room.id, "after authenticate")).seq, 1);
  },
);

test("close 4401 refreshes the token, then reconnects and resumes", needsGateway, async () => {
  const { alice, bob } = await users();
  const room = await sharedRoom(alice, bob);
  const client = await loginAgain(bob);
  const { session, control } = await open(client);
  await session.subscribe(room);
  const got = collect(session, room);
  await alice.client.sendMessage(room, { content: "one" });
  await waitFor("the first message", () => got.length >= 1);

  const before = client.currentTokens!.accessToken;
  const ready = nextEvent(session, "ready");
  control.latest().kill(4401, "access token expired");
  await ready;
  const after = client.currentTokens!.accessToken;
  assert.notEqual(after, before);
  assert.equal(new URL(control.latest().url).searchParams.get("access_token"), after);
  await alice.client.sendMessage(room, { content: "two" });
  await waitFor("the second message", () => got.length >= 2);
  assert.deepEqual(seqs(got), [1, 2]);
});

test(
  "logout ends the session: the gateway closes it with 4401 and it stays closed",
  needsGateway,
  async () => {
    const { alice } = await users();
    const client = await loginAgain(alice);
    const { session } = await open(client);
    const closed = nextEvent(session, "closed", () => true, 20_000);
    // Log out behind the SDK's back, so the session still holds the (now revoked) refresh token.
    await client.call("POST", "/v1/auth/logout", {
      body: { refresh_token: client.currentTokens!.refreshToken },
    });
    const data = await closed;
    assert.equal(data.code, 4401);
    assert.equal(data.cause, "unauthenticated");
    assert.match(data.reason, /session ended; token refresh failed/);
    assert.equal(session.state, "closed");
  },
);

test("1008 and 4xxx closes are final; 1012 is retried", needsGateway, async () => {
  const { alice } = await users();
  for (const code of [1008, 4000, 4999]) {
    const { session, control } = await open(alice.client);
    const closed = nextEvent(session, "closed");
    control.latest().kill(code, "moderated");
    assert.deepEqual(await closed, { code, reason: "moderated", cause: "policy" });
    assert.equal(session.state, "closed");
    assert.equal(control.sockets.length, 1);
    await assert.rejects(session.send("00000000-0000-0000-0000-000000000000", "late"), /session is closed/);
  }
  const { session, control } = await open(alice.client);
  const disconnected = nextEvent(session, "disconnected");
  const ready = nextEvent(session, "ready");
  control.latest().kill(1012, "server restarting");
  const data = await disconnected;
  assert.equal(data.code, 1012);
  assert.ok(data.reconnectInMs !== undefined && data.reconnectInMs >= 50 && data.reconnectInMs <= 100);
  await ready;
  assert.equal(control.sockets.length, 2);
});

test(
  "resync_required moves the room past what the replay could not hold",
  replayLimit > 0
    ? needsGateway
    : { skip: "CHATTER_SDK_REPLAY_LIMIT (the gateway's CHATTER_WS_REPLAY_LIMIT) is not set" },
  async () => {
    const { alice, bob } = await users();
    const room = await sharedRoom(alice, bob);
    const a = await open(alice.client);
    await a.session.subscribe(room);
    const gotA = collect(a.session, room);
    await bob.client.sendMessage(room, { content: "seen live" });
    await waitFor("the first message", () => gotA.length >= 1);

    a.control.refuseConnections = true;
    const disconnected = nextEvent(a.session, "disconnected");
    a.control.latest().kill(1006);
    await disconnected;
    const missed = replayLimit + 3;
    for (let i = 0; i < missed; i++) await bob.client.sendMessage(room, { content: `missed ${i}` });
    const resync = nextEvent(a.session, "resync_required");
    a.control.refuseConnections = false;
    const data = await resync;
    assert.deepEqual(data, { room_id: room, last_seq: 1 + missed, from_seq: 1 });
    assert.equal(a.session.lastSeq(room), 1 + missed);

    // The app reads the missed range over REST; live delivery goes on after it.
    const page = await alice.client.listMessages(room, { after: data.from_seq, limit: 100 });
    assert.deepEqual(seqs(page.messages), range(2, 1 + missed));
    await bob.client.sendMessage(room, { content: "after the resync" });
    await waitFor("the live message", () => gotA.length >= 2);
    assert.deepEqual(seqs(gotA), [1, 2 + missed]);
  },
);
