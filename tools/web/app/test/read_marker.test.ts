import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReadMarker } from "../src/logic/read_marker.ts";

describe("ReadMarker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the newest seen seq once per interval and never backwards", async () => {
    const sent: [string, number][] = [];
    const read: [string, number][] = [];
    const marker = new ReadMarker(
      async (room, seq) => void sent.push([room, seq]),
      (room, seq) => read.push([room, seq]),
      500,
    );
    marker.seen("r1", 3);
    marker.seen("r1", 5);
    marker.seen("r2", 1);
    marker.seen("r1", 4);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual([
      ["r1", 5],
      ["r2", 1],
    ]);
    expect(read).toEqual(sent);
    marker.seen("r1", 5);
    marker.seen("r1", 2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(2);
    marker.seen("r1", 6);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.at(-1)).toEqual(["r1", 6]);
    expect(marker.markedSeq("r1")).toBe(6);
  });

  it("lets a failed mark be tried again", async () => {
    let fail = true;
    const sent: number[] = [];
    const marker = new ReadMarker(async (_room, seq) => {
      sent.push(seq);
      if (fail) throw new Error("offline");
    });
    marker.seen("r1", 7);
    await vi.advanceTimersByTimeAsync(500);
    expect(marker.markedSeq("r1")).toBe(0);
    fail = false;
    marker.seen("r1", 7);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual([7, 7]);
    expect(marker.markedSeq("r1")).toBe(7);
  });
});
