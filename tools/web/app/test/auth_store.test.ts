import type { FetchLike } from "@chatterstack/client";
import { describe, expect, it } from "vitest";
import { crossTabRefreshFetch, kTokensKey, loadTokens, saveTokens, saveUser, type LockFn } from "../src/logic/auth_store.ts";
import { MemoryStorage } from "./helpers.ts";

// A lock that really serializes, like navigator.locks across tabs.
function serialLock(): LockFn {
  let tail: Promise<unknown> = Promise.resolve();
  return (_name, callback) => {
    const run = tail.then(callback, callback);
    tail = run.catch(() => {});
    return run;
  };
}

const now = () => 1_000_000;
const refreshInit = (token: string): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ refresh_token: token }),
});

describe("crossTabRefreshFetch", () => {
  it("never presents one refresh token twice when two tabs refresh at once", async () => {
    const storage = new MemoryStorage();
    saveTokens(storage, { accessToken: "a0", refreshToken: "r0", expiresAt: now() + 1000, userId: "u1" });
    saveUser(storage, { id: "u1", username: "alice", email: "a@example.com", created_at: "", updated_at: "" });
    const presented: string[] = [];
    let n = 0;
    const server: FetchLike = async (_url, init) => {
      const { refresh_token } = JSON.parse(String(init.body));
      presented.push(refresh_token);
      n += 1;
      return new Response(
        JSON.stringify({ user: { id: "u1" }, access_token: `a${n}`, refresh_token: `r${n}`, token_type: "Bearer", expires_in: 900 }),
        { status: 200, headers: { "Content-Type": "application/json" } },
      );
    };
    const lock = serialLock();
    const tabA = crossTabRefreshFetch(server, storage, lock, now);
    const tabB = crossTabRefreshFetch(server, storage, lock, now);
    // Both tabs hold the same stored pair and refresh together.
    const [a, b] = await Promise.all([
      tabA("http://x/v1/auth/refresh", refreshInit("r0")).then((r) => r.json()),
      tabB("http://x/v1/auth/refresh", refreshInit("r0")).then((r) => r.json()),
    ]);
    expect(presented).toEqual(["r0"]);
    expect(a.refresh_token).toBe("r1");
    expect(b.refresh_token).toBe("r1");
    expect(b.access_token).toBe("a1");
    expect(b.expires_in).toBe(900);
    expect(b.user.username).toBe("alice");
    expect(loadTokens(storage)?.refreshToken).toBe("r1");
    // Later, a refresh with the current token goes to the server.
    await tabB("http://x/v1/auth/refresh", refreshInit("r1"));
    expect(presented).toEqual(["r0", "r1"]);
  });

  it("passes other requests through and keeps failed refreshes out of storage", async () => {
    const storage = new MemoryStorage();
    saveTokens(storage, { accessToken: "a0", refreshToken: "r0", expiresAt: now() + 1000 });
    const seen: string[] = [];
    const server: FetchLike = async (url) => {
      seen.push(url);
      return new Response('{"error":{"code":"unauthenticated","message":"no","details":[]}}', { status: 401 });
    };
    const wrapped = crossTabRefreshFetch(server, storage, serialLock(), now);
    await wrapped("http://x/v1/me", { method: "GET" });
    const answer = await wrapped("http://x/v1/auth/refresh", refreshInit("r0"));
    expect(answer.status).toBe(401);
    expect(seen).toEqual(["http://x/v1/me", "http://x/v1/auth/refresh"]);
    expect(JSON.parse(storage.getItem(kTokensKey)!).refreshToken).toBe("r0");
  });
});
