import { describe, expect, it } from "vitest";
import {
  addMessages,
  addPage,
  addPending,
  applyChange,
  emptyTimeline,
  holes,
  lastSeqOf,
  mergeMessages,
  updatePending,
} from "../src/logic/timeline.ts";
import { message } from "./helpers.ts";

const seqs = (list: { seq: number }[]) => list.map((m) => m.seq);

describe("mergeMessages", () => {
  it("orders by seq and keeps each seq once", () => {
    const merged = mergeMessages([message(3), message(4)], [message(6), message(5), message(4), message(1)]);
    expect(seqs(merged)).toEqual([1, 3, 4, 5, 6]);
  });

  it("keeps the later version of a message, and a deletion over an older copy", () => {
    const edited = message(2, { content: "edited", edited: true, updated_at: "2026-11-22T11:00:00.000Z" });
    expect(mergeMessages([edited], [message(2)])[0].content).toBe("edited");
    expect(mergeMessages([message(2)], [edited])[0].content).toBe("edited");
    const deleted = message(2, { content: "", deleted: true });
    expect(mergeMessages([deleted], [edited])[0].deleted).toBe(true);
  });
});

describe("history pages and live messages", () => {
  it("merges a newest-first page with live messages that arrived before it", () => {
    let t = addMessages(emptyTimeline(), [message(11), message(12)]);
    t = addPage(t, { messages: [message(11), message(10), message(9)], next_before: 9 });
    expect(seqs(t.messages)).toEqual([9, 10, 11, 12]);
    expect(t.loaded).toBe(true);
    expect(t.nextBefore).toBe(9);
    t = addPage(t, { messages: [message(8), message(7)], next_before: null });
    expect(seqs(t.messages)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(t.nextBefore).toBeNull();
    expect(lastSeqOf(t)).toBe(12);
  });

  it("finds holes between a page and later live messages", () => {
    const t = addPage(addMessages(emptyTimeline(), [message(20), message(21)]), {
      messages: [message(15), message(14)],
      next_before: 14,
    });
    expect(holes(t)).toEqual([{ after: 15, before: 20 }]);
    expect(holes(addMessages(t, [16, 17, 18, 19].map((s) => message(s))))).toEqual([]);
  });
});

describe("optimistic entries", () => {
  const pending = { clientMsgId: "c1", roomId: "r1", content: "hi", createdAt: "2026-11-22T10:00:00.000Z" };

  it("is replaced by the saved message with its client_msg_id, from the echo or a page", () => {
    let t = addPending(emptyTimeline(), pending);
    expect(t.pending).toHaveLength(1);
    t = addMessages(t, [message(1, { client_msg_id: "other" })]);
    expect(t.pending).toHaveLength(1);
    t = addMessages(t, [message(2, { client_msg_id: "c1", content: "hi" })]);
    expect(t.pending).toHaveLength(0);
    expect(seqs(t.messages)).toEqual([1, 2]);

    const viaPage = addPage(addPending(emptyTimeline(), pending), {
      messages: [message(5, { client_msg_id: "c1" })],
      next_before: null,
    });
    expect(viaPage.pending).toHaveLength(0);
  });

  it("is not added twice, nor after its message arrived", () => {
    let t = addPending(addPending(emptyTimeline(), pending), pending);
    expect(t.pending).toHaveLength(1);
    t = addMessages(t, [message(3, { client_msg_id: "c1" })]);
    expect(addPending(t, pending).pending).toHaveLength(0);
  });

  it("can be marked failed and discarded", () => {
    let t = updatePending(addPending(emptyTimeline(), pending), "c1", { failed: "blocked" });
    expect(t.pending[0].failed).toBe("blocked");
    t = updatePending(t, "c1", null);
    expect(t.pending).toHaveLength(0);
  });
});

describe("applyChange", () => {
  it("replaces a held message by id and ignores unknown ones", () => {
    const t = addMessages(emptyTimeline(), [message(1), message(2)]);
    const edited = message(2, { content: "new", edited: true, updated_at: "2026-11-22T12:00:00.000Z" });
    expect(applyChange(t, edited).messages[1].content).toBe("new");
    expect(applyChange(t, message(9))).toBe(t);
  });
});
