import type { Message } from "@chatterstack/client";
import { describe, expect, it } from "vitest";
import { Outbox, type SendTransport } from "../src/logic/outbox.ts";
import { deferred, flush, MemoryStorage, message } from "./helpers.ts";

class SessionError extends Error {
  override readonly name = "SessionError";
}

// A transport whose sends the test answers one by one.
function fakeTransport() {
  const calls: { roomId: string; content: string; clientMsgId: string; answer: ReturnType<typeof deferred<Message>> }[] = [];
  let n = 0;
  const transport: SendTransport = {
    newClientMsgId: () => `c${++n}`,
    send(roomId, content, { clientMsgId }) {
      const answer = deferred<Message>();
      calls.push({ roomId, content, clientMsgId, answer });
      return answer.promise;
    },
  };
  return { transport, calls };
}

function events() {
  const saved: string[] = [];
  const failed: string[] = [];
  return {
    saved,
    failed,
    handlers: {
      saved: (e: { clientMsgId: string }) => saved.push(e.clientMsgId),
      failed: (e: { clientMsgId: string }, reason: string) => failed.push(`${e.clientMsgId}: ${reason}`),
    },
  };
}

describe("Outbox", () => {
  it("keeps a send in storage until the server saved it", async () => {
    const storage = new MemoryStorage();
    const { transport, calls } = fakeTransport();
    const ev = events();
    const outbox = new Outbox(storage, "q", transport, ev.handlers);
    const entry = outbox.send("r1", "hello");
    expect(entry.clientMsgId).toBe("c1");
    expect(calls.map((c) => [c.roomId, c.content, c.clientMsgId])).toEqual([["r1", "hello", "c1"]]);
    expect(JSON.parse(storage.getItem("q")!)).toHaveLength(1);
    calls[0].answer.resolve(message(1, { client_msg_id: "c1" }));
    await flush();
    expect(ev.saved).toEqual(["c1"]);
    expect(outbox.list()).toEqual([]);
    expect(storage.getItem("q")).toBeNull();
  });

  it("survives a reload: a new queue on the same storage sends the stored entries again, same ids", async () => {
    const storage = new MemoryStorage();
    const first = fakeTransport();
    const before = new Outbox(storage, "q", first.transport, events().handlers);
    before.send("r1", "one");
    before.send("r2", "two");
    // The page goes away before any answer.
    const second = fakeTransport();
    const after = new Outbox(storage, "q", second.transport, events().handlers);
    expect(after.list().map((e) => e.content)).toEqual(["one", "two"]);
    expect(second.calls).toHaveLength(0);
    after.resume();
    expect(second.calls.map((c) => c.clientMsgId)).toEqual(["c1", "c2"]);
    after.resume(); // already in flight: not sent twice
    expect(second.calls).toHaveLength(2);
  });

  it("keeps an entry whose session ended and sends it on resume", async () => {
    const storage = new MemoryStorage();
    const { transport, calls } = fakeTransport();
    const ev = events();
    const outbox = new Outbox(storage, "q", transport, ev.handlers);
    outbox.send("r1", "hi");
    calls[0].answer.reject(new SessionError("session closed"));
    await flush();
    expect(ev.failed).toEqual([]);
    expect(outbox.list()).toHaveLength(1);
    outbox.resume();
    expect(calls.map((c) => c.clientMsgId)).toEqual(["c1", "c1"]);
  });

  it("marks a refused send failed; retry sends it again, discard drops it", async () => {
    const storage = new MemoryStorage();
    const { transport, calls } = fakeTransport();
    const ev = events();
    const outbox = new Outbox(storage, "q", transport, ev.handlers);
    outbox.send("r1", "blocked?");
    calls[0].answer.reject(new Error("permission denied"));
    await flush();
    expect(ev.failed).toEqual(["c1: permission denied"]);
    expect(outbox.list()[0].failed).toBe("permission denied");
    outbox.resume(); // failed entries wait for the user
    expect(calls).toHaveLength(1);
    outbox.retry("c1");
    expect(calls).toHaveLength(2);
    expect(outbox.list()[0].failed).toBeUndefined();
    outbox.discard("c1");
    expect(outbox.list()).toEqual([]);
    expect(storage.getItem("q")).toBeNull();
  });

  it("ignores unreadable storage", () => {
    const storage = new MemoryStorage();
    storage.setItem("q", "{not json");
    expect(new Outbox(storage, "q", fakeTransport().transport, events().handlers).list()).toEqual([]);
    storage.setItem("q", JSON.stringify([{ clientMsgId: 1 }, { clientMsgId: "a", roomId: "r", content: "x" }]));
    expect(new Outbox(storage, "q", fakeTransport().transport, events().handlers).list()).toHaveLength(1);
  });
});
