// The store wired to a fake REST client and a fake session: the paths between the SDK's events
// and what the UI shows (unread counts, optimistic sends, catch-up reads, the end of a login).
import type { ChatterClient, ChatterSession, Message, Room } from "@chatterstack/client";
import { afterEach, describe, expect, it } from "vitest";
import { loadTokens, saveTokens, saveUser } from "../src/logic/auth_store.ts";
import { ChatStore } from "../src/store.ts";
import { deferred, flush, MemoryStorage, message, room } from "./helpers.ts";

const me = { id: "bob", username: "bob", email: "bob@example.com", created_at: "", updated_at: "" };

class SessionError extends Error {
  override readonly name = "SessionError";
}

// Just what the store uses of ChatterSession; the test emits its events.
class FakeSession {
  state = "idle";
  readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly subscribed: [string, number | undefined][] = [];
  readonly sends: { roomId: string; content: string; clientMsgId: string; answer: ReturnType<typeof deferred<Message>> }[] = [];
  readonly marks: [string, number][] = [];
  private n = 0;
  on(event: string, fn: (data: unknown) => void) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return () => this.listeners.get(event)!.delete(fn);
  }
  emit(event: string, data: unknown) {
    if (event === "state") this.state = data as string;
    for (const fn of this.listeners.get(event) ?? []) fn(data);
  }
  connect() {
    this.emit("state", "open");
    return Promise.resolve({});
  }
  subscribe(roomId: string, options: { sinceSeq?: number }) {
    this.subscribed.push([roomId, options.sinceSeq]);
    return Promise.resolve(options.sinceSeq ?? 0);
  }
  unsubscribe() {
    return Promise.resolve();
  }
  newClientMsgId() {
    return `c${++this.n}`;
  }
  send(roomId: string, content: string, options: { clientMsgId: string }) {
    const answer = deferred<Message>();
    this.sends.push({ roomId, content, clientMsgId: options.clientMsgId, answer });
    return answer.promise;
  }
  markRead(roomId: string, seq: number) {
    this.marks.push([roomId, seq]);
    return Promise.resolve(seq);
  }
  typing() {
    return Promise.resolve();
  }
  reconnect() {}
  close() {
    this.emit("closed", { code: 1000, reason: "client closed", cause: "client" });
  }
}

// A room "r1" with messages 1..last from alice, and the REST calls the store makes.
function fakeApi(rooms: Room[], last: number) {
  const calls: string[] = [];
  const history = Array.from({ length: last }, (_, i) => message(i + 1));
  const api = {
    currentTokens: { accessToken: "a", refreshToken: "r", expiresAt: Date.now() + 900_000, userId: me.id },
    me: async () => me,
    listRooms: async () => (calls.push("listRooms"), { rooms }),
    listContacts: async () => ({ contacts: [] }),
    listMembers: async () => ({ members: [] }),
    getUser: async (id: string) => ({ id, username: id, created_at: "", deleted: false }),
    markRead: async () => {},
    listMessages: async (roomId: string, query: { before?: number; after?: number; limit?: number }) => {
      calls.push(`listMessages ${roomId} ${JSON.stringify(query)}`);
      const limit = query.limit ?? 50;
      if (query.after !== undefined) {
        const page = history.filter((m) => m.seq > query.after!).slice(0, limit);
        const end = page.at(-1)?.seq ?? query.after;
        return { messages: page, next_before: null, next_after: end < history.length ? end : null };
      }
      const below = history.filter((m) => query.before === undefined || m.seq < query.before).reverse().slice(0, limit);
      const oldest = below.at(-1)?.seq ?? 1;
      return { messages: below, next_before: oldest > 1 ? oldest : null, next_after: null };
    },
  };
  return { api: api as unknown as ChatterClient, calls, history };
}

let store: ChatStore | undefined;
afterEach(() => store?.dispose());

function signedInStore(rooms: Room[], last: number) {
  const storage = new MemoryStorage();
  saveTokens(storage, { accessToken: "a", refreshToken: "r", expiresAt: Date.now() + 900_000, userId: me.id });
  saveUser(storage, me);
  const { api, calls, history } = fakeApi(rooms, last);
  const session = new FakeSession();
  store = new ChatStore({
    storage,
    api,
    newSession: () => session as unknown as ChatterSession,
    watchBrowser: false,
  });
  store.start();
  return { store, session, calls, history, storage };
}

describe("ChatStore", () => {
  it("subscribes every room from its last seq and counts live messages of rooms not open", async () => {
    const { store, session } = signedInStore([room("r1", { last_seq: 4, unread_count: 1 }), room("r2")], 4);
    await flush();
    expect(session.subscribed).toEqual([
      ["r1", 4],
      ["r2", 0],
    ]);
    session.emit("message", message(5));
    expect(store.rooms.get("r1")!.unread).toBe(2);
    expect(store.rooms.get("r1")!.lastMessage?.seq).toBe(5);
    session.emit("message", message(5)); // delivered twice: counted once
    expect(store.rooms.get("r1")!.unread).toBe(2);
  });

  it("opens a room: reads the newest page, pages back, and marks what is seen read", async () => {
    const { store, session, calls } = signedInStore([room("r1", { last_seq: 120, unread_count: 3 })], 120);
    await flush();
    store.openRoom("r1");
    await flush();
    expect(store.timeline("r1").messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    await store.loadOlder("r1");
    expect(store.timeline("r1").messages[0].seq).toBe(21);
    expect(calls).toContain('listMessages r1 {"limit":50,"before":71}');
    store.seen("r1", 120, true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(session.marks).toEqual([["r1", 120]]);
    expect(store.rooms.get("r1")!.unread).toBe(0);
    // While viewing the newest messages, new ones are not unread, and are marked read.
    session.emit("message", message(121));
    expect(store.rooms.get("r1")!.unread).toBe(0);
  });

  it("shows a send at once and replaces it with the saved message", async () => {
    const { store, session, storage } = signedInStore([room("r1", { last_seq: 2 })], 2);
    await flush();
    store.openRoom("r1");
    await flush();
    store.send("r1", "  hello  ");
    expect(store.timeline("r1").pending.map((p) => [p.content, p.clientMsgId])).toEqual([["hello", "c1"]]);
    expect(store.pendingCount).toBe(1);
    expect(storage.getItem(`chatterstack.outbox.${me.id}`)).toContain("hello");
    session.sends[0].answer.resolve(message(3, { sender_id: me.id, content: "hello", client_msg_id: "c1" }));
    await flush();
    expect(store.timeline("r1").pending).toEqual([]);
    expect(store.timeline("r1").messages.at(-1)?.content).toBe("hello");
    expect(store.rooms.get("r1")!.unread).toBe(0);
    expect(store.pendingCount).toBe(0);
  });

  it("keeps a send the session could not deliver for the next session", async () => {
    const { store, session } = signedInStore([room("r1")], 0);
    await flush();
    store.send("r1", "later");
    session.sends[0].answer.reject(new SessionError("session closed"));
    await flush();
    expect(store.timeline("r1").pending[0].failed).toBeUndefined();
    expect(store.pendingCount).toBe(1);
  });

  it("reads the range of a resync_required over REST", async () => {
    const { store, session, calls } = signedInStore([room("r1", { last_seq: 10 })], 130);
    await flush();
    store.openRoom("r1");
    await flush();
    session.emit("resync_required", { room_id: "r1", from_seq: 10, last_seq: 130 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.filter((c) => c.includes('"after"'))).toEqual([
      'listMessages r1 {"after":10,"limit":100}',
      'listMessages r1 {"after":110,"limit":100}',
    ]);
    expect(store.timeline("r1").messages.at(-1)?.seq).toBe(130);
    expect(store.rooms.get("r1")!.lastSeq).toBe(130);
  });

  it("signs out when the session says the login ended", async () => {
    const { store, session, storage } = signedInStore([room("r1")], 0);
    await flush();
    session.emit("closed", { code: 4401, reason: "session ended", cause: "unauthenticated" });
    expect(store.me).toBeNull();
    expect(loadTokens(storage)).toBeNull();
    expect(store.notice?.text).toMatch(/sign in again/);
  });
});
