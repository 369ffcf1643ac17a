import { describe, expect, it } from "vitest";
import { TypingNotifier, TypingRoster, typingLabel, type Timers } from "../src/logic/typing.ts";

function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      pending.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now) {
        pending.delete(id);
        t.fn();
      }
    }
  };
  return { timers, advance, now: () => now };
}

describe("TypingRoster", () => {
  it("lists who types per room and expires entries without typing_stop", () => {
    const clock = fakeTimers();
    const roster = new TypingRoster(clock.now, 6000);
    roster.start("r1", "u1", "alice");
    roster.start("r1", "u2", "bob");
    roster.start("r2", "u3", "carol");
    expect(roster.names("r1")).toEqual(["alice", "bob"]);
    roster.stop("r1", "u1");
    expect(roster.names("r1")).toEqual(["bob"]);
    clock.advance(5000);
    roster.start("r2", "u3", "carol"); // renewed
    clock.advance(1500);
    expect(roster.names("r1")).toEqual([]);
    expect(roster.names("r2")).toEqual(["carol"]);
    expect(roster.active()).toBe(true);
    clock.advance(6000);
    expect(roster.active()).toBe(false);
  });

  it("labels", () => {
    expect(typingLabel([])).toBe("");
    expect(typingLabel(["alice"])).toBe("alice is typing…");
    expect(typingLabel(["alice", "bob"])).toBe("alice and bob are typing…");
    expect(typingLabel(["a", "b", "c"])).toBe("3 people are typing…");
  });
});

describe("TypingNotifier", () => {
  it("sends one start per repeat interval and a stop after a pause", () => {
    const clock = fakeTimers();
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t), clock.timers, 3000, 2000);
    notifier.input();
    clock.advance(500);
    notifier.input();
    clock.advance(1000);
    notifier.input();
    expect(sent).toEqual([true]);
    clock.advance(1600); // 3.1 s since the start, still typing
    notifier.input();
    expect(sent).toEqual([true, true]);
    clock.advance(2000);
    expect(sent).toEqual([true, true, false]);
    clock.advance(10000);
    expect(sent).toEqual([true, true, false]);
  });

  it("stops at once when the message is sent, and only once", () => {
    const clock = fakeTimers();
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t), clock.timers);
    notifier.input();
    notifier.stop();
    notifier.stop();
    clock.advance(10000);
    expect(sent).toEqual([true, false]);
  });

  it("sends no typing_stop for a sent message, and starts afresh on the next key", () => {
    const clock = fakeTimers();
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t), clock.timers);
    notifier.input();
    notifier.sent();
    clock.advance(10000);
    expect(sent).toEqual([true]);
    notifier.input();
    expect(sent).toEqual([true, true]);
  });
});
