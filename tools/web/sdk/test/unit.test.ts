// Gateway-free checks of the session's building blocks: ordering and de-duplication per room,
// gap reporting, the reconnect delays' bounds, when a token is due for a refresh, and how the
// room directory call is put on the wire.
import assert from "node:assert/strict";
import { test } from "node:test";

import { backoffDelay } from "../src/backoff.js";
import { ChatterClient } from "../src/rest.js";
import { RoomSequencer } from "../src/room_sequencer.js";
import { refreshMarginMs } from "../src/tokens.js";
import type { Message } from "../src/types.js";

const message = (seq: number) => ({ seq, room_id: "r", id: `m${seq}` }) as Message;

test("the sequencer delivers in seq order and drops duplicates", () => {
  const delivered: number[] = [];
  const sequencer = new RoomSequencer(
    { deliver: (m) => delivered.push(m.seq), gap: () => assert.fail("gap") },
    1000,
    0,
  );
  for (const seq of [2, 1, 1, 3, 5, 2, 4, 5, 6]) sequencer.push(message(seq));
  sequencer.dispose();
  assert.deepEqual(delivered, [1, 2, 3, 4, 5, 6]);
  assert.equal(sequencer.lastSeq, 6);
});

test("an unanchored room starts at its first message or the subscribe ack", () => {
  const delivered: number[] = [];
  const first = new RoomSequencer({ deliver: (m) => delivered.push(m.seq), gap: () => {} }, 1000);
  first.push(message(7));
  first.push(message(8));
  assert.deepEqual(delivered, [7, 8]);
  delivered.length = 0;
  const acked = new RoomSequencer({ deliver: (m) => delivered.push(m.seq), gap: () => {} }, 1000);
  acked.anchor(3);
  acked.push(message(3));
  acked.push(message(4));
  assert.deepEqual(delivered, [4]);
});

test("a gap that stays open is reported, then delivery goes on after it", async () => {
  const delivered: number[] = [];
  const gaps: [number, number][] = [];
  await new Promise<void>((resolve) => {
    const sequencer = new RoomSequencer(
      {
        deliver: (m) => {
          delivered.push(m.seq);
          if (m.seq === 6) resolve();
        },
        gap: (after, before) => gaps.push([after, before]),
      },
      30,
      2,
    );
    sequencer.push(message(5));
    sequencer.push(message(6));
  });
  assert.deepEqual(gaps, [[2, 5]]);
  assert.deepEqual(delivered, [5, 6]);
});

test("resync moves the cursor forward and releases what follows", () => {
  const delivered: number[] = [];
  const sequencer = new RoomSequencer({ deliver: (m) => delivered.push(m.seq), gap: () => {} }, 1000, 1);
  sequencer.push(message(12));
  sequencer.resetTo(11);
  sequencer.push(message(9));
  assert.deepEqual(delivered, [12]);
});

test("backoff grows exponentially, is capped and jittered", () => {
  const options = { initialMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(0, { ...options, random: () => 0 }), 50);
  assert.equal(backoffDelay(0, { ...options, random: () => 0.999999 }), 100);
  assert.equal(backoffDelay(2, { ...options, random: () => 0 }), 200);
  assert.equal(backoffDelay(10, { ...options, random: () => 0.999999 }), 1000);
  const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(3, options)));
  assert.ok(seen.size > 1, "jitter makes delays differ");
  for (const delay of seen) assert.ok(delay >= 400 && delay <= 800, `${delay}`);
});

test("a token is due for refresh at the skew, or halfway through a shorter lifetime", () => {
  const minute = 60_000;
  // A 15-minute token: refreshed the usual minute before it expires.
  assert.equal(refreshMarginMs({ issuedAt: 0, expiresAt: 15 * minute }, minute), minute);
  // A 60 s token (the server's shortest): not due the moment it arrives, but after half of it.
  assert.equal(refreshMarginMs({ issuedAt: 0, expiresAt: minute }, minute), minute / 2);
  // Stored by an older client, without issuedAt: the skew as given.
  assert.equal(refreshMarginMs({ expiresAt: minute }, minute), minute);
});

test("listPublicRooms sends q, limit and before as query parameters with the token", async () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const client = new ChatterClient({
    baseUrl: "http://gw.test/",
    tokens: { accessToken: "at", refreshToken: "rt", expiresAt: Date.now() + 3_600_000 },
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ rooms: [], next_before: null }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    },
  });
  const page = await client.listPublicRooms({ q: "gen & co", limit: 5, before: "c-1" });
  assert.deepEqual(page, { rooms: [], next_before: null });
  assert.equal(calls.length, 1);
  const url = new URL(calls[0].url);
  assert.equal(url.pathname, "/v1/rooms/public");
  assert.equal(url.searchParams.get("q"), "gen & co");
  assert.equal(url.searchParams.get("limit"), "5");
  assert.equal(url.searchParams.get("before"), "c-1");
  assert.equal(calls[0].init.method, "GET");
  assert.equal(new Headers(calls[0].init.headers).get("authorization"), "Bearer at");

  await client.listPublicRooms();
  assert.equal(new URL(calls[1].url).search, "");
});
