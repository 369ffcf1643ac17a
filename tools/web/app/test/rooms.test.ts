import { describe, expect, it } from "vitest";
import { entryFromRoom, mergeRoomList, onChange, onMessage, onRead, sortedRooms, totalUnread } from "../src/logic/rooms.ts";
import { message, room } from "./helpers.ts";

const me = "bob";

describe("unread counts", () => {
  it("counts others' messages in rooms not being viewed, once per seq", () => {
    let e = entryFromRoom(room("r1", { last_seq: 4, unread_count: 2 }));
    e = onMessage(e, message(5), me, false);
    expect(e.unread).toBe(3);
    e = onMessage(e, message(5), me, false); // the same message again (ack + echo, replay)
    expect(e.unread).toBe(3);
    e = onMessage(e, message(6, { sender_id: me }), me, false); // my own
    expect(e.unread).toBe(3);
    e = onMessage(e, message(7), me, true); // seen as it arrived
    expect(e.unread).toBe(3);
    expect(e.lastSeq).toBe(7);
    expect(e.lastMessage?.seq).toBe(7);
  });

  it("counts mentions of the user", () => {
    const e = onMessage(entryFromRoom(room("r1")), message(1, { mentions: [me] }), me, false);
    expect([e.unread, e.mentions]).toEqual([1, 1]);
  });

  it("clears on reading the newest seq and recounts a partial read from known messages", () => {
    let e = entryFromRoom(room("r1"));
    const known = [1, 2, 3, 4].map((s) => message(s, { sender_id: s === 3 ? me : "alice" }));
    for (const m of known) e = onMessage(e, m, me, false);
    expect(e.unread).toBe(3);
    const partial = onRead(e, 2, me, known);
    expect(partial.unread).toBe(1); // seq 4 (3 is mine)
    expect(partial.readSeq).toBe(2);
    expect(onRead(partial, 1, me, known)).toBe(partial); // markers only move forward
    expect(onRead(partial, 4, me).unread).toBe(0);
    // Without the messages, a partial read cannot recount: the count stays.
    expect(onRead(e, 2, me).unread).toBe(3);
  });

  it("does not count messages at or below the read marker", () => {
    let e = onRead(entryFromRoom(room("r1", { last_seq: 3 })), 5, me);
    e = onMessage(e, message(5), me, false);
    expect(e.unread).toBe(0);
    e = onMessage(e, message(6), me, false);
    expect(e.unread).toBe(1);
  });

  it("follows edits of the last message in the preview", () => {
    let e = onMessage(entryFromRoom(room("r1")), message(1), me, false);
    e = onChange(e, message(1, { content: "fixed" }));
    expect(e.lastMessage?.content).toBe("fixed");
    expect(onChange(e, message(7))).toBe(e);
  });
});

describe("mergeRoomList", () => {
  it("takes the server's counts unless this client saw newer messages or read further", () => {
    let current = mergeRoomList(new Map(), [room("r1", { last_seq: 2, unread_count: 2 }), room("r2")]);
    current.set("r1", onMessage(current.get("r1")!, message(3), me, false));
    current.set("r2", onRead(onMessage(current.get("r2")!, message(1, { room_id: "r2" }), me, false), 1, me));
    const next = mergeRoomList(current, [
      room("r1", { last_seq: 2, unread_count: 2 }), // stale: the client has seq 3
      room("r2", { last_seq: 1, unread_count: 1 }), // the server has not applied the read yet
      room("r3", { last_seq: 9, unread_count: 4 }),
    ]);
    expect(next.get("r1")!.unread).toBe(3);
    expect(next.get("r1")!.lastSeq).toBe(3);
    expect(next.get("r2")!.unread).toBe(0);
    expect(next.get("r3")!.unread).toBe(4);
    expect(mergeRoomList(next, [room("r3", { last_seq: 9 })]).has("r1")).toBe(false); // left
    expect(totalUnread(next.values())).toBe(7);
  });

  it("sorts by latest activity", () => {
    const a = onMessage(entryFromRoom(room("a")), message(1, { room_id: "a", created_at: "2026-11-22T12:00:00.000Z" }), me, false);
    const b = entryFromRoom(room("b", { created_at: "2026-11-22T13:00:00.000Z" }));
    const c = entryFromRoom(room("c", { created_at: "2026-11-22T08:00:00.000Z" }));
    expect(sortedRooms([c, a, b]).map((e) => e.room.id)).toEqual(["b", "a", "c"]);
  });
});
