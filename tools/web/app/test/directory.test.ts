import { describe, expect, it } from "vitest";
import {
  directoryQuery,
  kMaxDirectoryQuery,
  startMore,
  startQuery,
  withFailure,
  withPage,
} from "../src/logic/directory.ts";
import { room } from "./helpers.ts";

describe("directory query", () => {
  it("is trimmed and never longer than the server accepts", () => {
    expect(directoryQuery("  general \n")).toBe("general");
    expect(directoryQuery("   ")).toBe("");
    expect(Array.from(directoryQuery("é".repeat(150))).length).toBe(kMaxDirectoryQuery);
    // Cut by code point, not UTF-16 unit: no half emoji.
    const cut = directoryQuery("😀".repeat(101));
    expect(Array.from(cut)).toEqual(Array(100).fill("😀"));
  });
});

describe("directory pages", () => {
  it("replaces the list for a new query and appends next pages without duplicates", () => {
    let state = startQuery("gen");
    expect(state.loading).toBe(true);
    state = withPage(state, "gen", { rooms: [room("r3"), room("r2")], next_before: "r2" }, false);
    expect(state.rooms.map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(state.nextBefore).toBe("r2");
    expect(state.loading).toBe(false);
    state = startMore(state);
    expect(state.loading).toBe(true);
    state = withPage(state, "gen", { rooms: [room("r2"), room("r1")], next_before: null }, true);
    expect(state.rooms.map((r) => r.id)).toEqual(["r3", "r2", "r1"]);
    expect(state.nextBefore).toBeNull();
    expect(startMore(state)).toBe(state); // nothing more to ask for
  });

  it("keeps the previous rooms shown while a new query loads, then replaces them", () => {
    let state = withPage(startQuery(""), "", { rooms: [room("a"), room("b")], next_before: "b" }, false);
    state = startQuery("x", state.rooms);
    expect(state.rooms.map((r) => r.id)).toEqual(["a", "b"]);
    expect(state.nextBefore).toBeNull();
    state = withPage(state, "x", { rooms: [room("x1")], next_before: null }, false);
    expect(state.rooms.map((r) => r.id)).toEqual(["x1"]);
  });

  it("ignores an answer for a query the user has typed past", () => {
    let state = startQuery("ge");
    state = startQuery("gen");
    const stale = withPage(state, "ge", { rooms: [room("other")], next_before: null }, false);
    expect(stale).toBe(state);
    expect(withFailure(state, "ge")).toBe(state);
    expect(withFailure(state, "gen").loading).toBe(false);
  });
});
