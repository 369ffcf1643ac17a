import { describe, expect, it } from "vitest";
import { inviteLink, parseRoute, roomIdFromInput } from "../src/logic/routes.ts";

describe("routes", () => {
  it("parses the hash routes", () => {
    expect(parseRoute("")).toEqual({ name: "home" });
    expect(parseRoute("#/")).toEqual({ name: "home" });
    expect(parseRoute("#/room/abc")).toEqual({ name: "room", id: "abc" });
    expect(parseRoute("#/room/")).toEqual({ name: "home" });
    expect(parseRoute("#/join/a%2Fb")).toEqual({ name: "join", id: "a/b" });
    expect(parseRoute("#/contacts")).toEqual({ name: "contacts" });
    expect(parseRoute("#/nonsense/x")).toEqual({ name: "home" });
  });

  it("makes invite links and reads them back, or a bare id", () => {
    const link = inviteLink("https://chat.example.com", "/app/", "0192f6a4-3b1c");
    expect(link).toBe("https://chat.example.com/app/#/join/0192f6a4-3b1c");
    expect(roomIdFromInput(` ${link} `)).toBe("0192f6a4-3b1c");
    expect(roomIdFromInput("https://chat.example.com/app/#/room/r9")).toBe("r9");
    expect(roomIdFromInput(" 0192f6a4-3b1c ")).toBe("0192f6a4-3b1c");
    expect(parseRoute(new URL(link).hash)).toEqual({ name: "join", id: "0192f6a4-3b1c" });
  });
});
