import { describe, expect, it } from "vitest";
import { cachePolicy } from "../src/sw/policy.ts";

const origin = "https://chat.example.com";
const policy = (path: string, method = "GET", mode = "cors", at = origin) =>
  cachePolicy(method, new URL(path, at), origin, "/app/", mode);

describe("service worker cache policy", () => {
  it("never answers API calls or the WebSocket from the cache", () => {
    expect(policy("/v1/rooms")).toBe("network-only");
    expect(policy("/v1/auth/refresh", "POST")).toBe("network-only");
    expect(policy("/ws?access_token=x")).toBe("network-only");
    expect(policy("/v1/rooms", "GET", "navigate")).toBe("network-only");
  });

  it("serves the app shell: pages under /app/ and their assets", () => {
    expect(policy("/app/", "GET", "navigate")).toBe("shell-navigation");
    expect(policy("/app/room/abc", "GET", "navigate")).toBe("shell-navigation");
    expect(policy("/app/assets/index-abc.js")).toBe("shell-asset");
  });

  it("leaves other paths, other origins and writes alone", () => {
    expect(policy("/healthz")).toBe("network-only");
    expect(policy("/app/x", "POST")).toBe("network-only");
    expect(policy("/app/x", "GET", "cors", "https://cdn.example.net")).toBe("network-only");
  });
});
