import { describe, expect, it } from "vitest";
import { readRange } from "../src/logic/catch_up.ts";
import { message } from "./helpers.ts";

// A room with messages 1..last, read `size` at a time with `after`, as the API answers.
function room(last: number, size: number) {
  const calls: number[] = [];
  const read = async (after: number) => {
    calls.push(after);
    const messages = [];
    for (let seq = after + 1; seq <= Math.min(last, after + size); seq++) messages.push(message(seq));
    const end = messages.at(-1)?.seq ?? after;
    return { messages, next_after: end < last ? end : null };
  };
  return { read, calls };
}

describe("readRange", () => {
  it("reads every page of (from, to] once and delivers nothing beyond `to`", async () => {
    const { read, calls } = room(20, 4);
    const got: number[] = [];
    await readRange(read, 5, 14, (m) => got.push(m.seq));
    expect(got).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(calls).toEqual([5, 9, 13]);
  });

  it("stops when the room ends before `to`, and reads nothing for an empty range", async () => {
    const r = room(7, 5);
    const got: number[] = [];
    await readRange(r.read, 3, 50, (m) => got.push(m.seq));
    expect(got).toEqual([4, 5, 6, 7]);
    expect(r.calls).toEqual([3]);
    await readRange(r.read, 9, 9, () => got.push(-1));
    expect(r.calls).toEqual([3]);
  });

  it("never loops on a server that does not move forward", async () => {
    let calls = 0;
    await readRange(async () => (calls++, { messages: [], next_after: 3 }), 3, 10, () => {});
    expect(calls).toBe(1);
  });
});
