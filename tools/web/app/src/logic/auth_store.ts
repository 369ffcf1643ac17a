// Where the login lives between reloads, shared by the app's tabs: the token pair and the
// account in localStorage. Refresh tokens are single use and a spent one presented again revokes
// the whole login (API.md), so two tabs must never refresh with the same one: refreshes go
// through one cross-tab lock (Web Locks), and a tab whose refresh token another tab has already
// spent takes the pair that tab stored instead of asking the server.
import type { FetchLike, StoredTokens, User } from "@chatterstack/client";
import type { StorageLike } from "./outbox.ts";

export const kTokensKey = "chatterstack.tokens";
export const kUserKey = "chatterstack.user";

export function loadTokens(storage: StorageLike): StoredTokens | null {
  try {
    const value = JSON.parse(storage.getItem(kTokensKey) ?? "null") as StoredTokens | null;
    if (value && typeof value.accessToken === "string" && typeof value.refreshToken === "string") return value;
  } catch {
    // unreadable: signed out
  }
  return null;
}

export function saveTokens(storage: StorageLike, tokens: StoredTokens | null): void {
  if (tokens) storage.setItem(kTokensKey, JSON.stringify(tokens));
  else storage.removeItem(kTokensKey);
}

export function loadUser(storage: StorageLike): User | null {
  try {
    return JSON.parse(storage.getItem(kUserKey) ?? "null") as User | null;
  } catch {
    return null;
  }
}

export function saveUser(storage: StorageLike, user: User | null): void {
  if (user) storage.setItem(kUserKey, JSON.stringify(user));
  else storage.removeItem(kUserKey);
}

// navigator.locks, or a stand-in that runs the callback at once (no other tabs to fear then).
export type LockFn = <T>(name: string, callback: () => Promise<T>) => Promise<T>;

export function browserLock(): LockFn {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return (_name, callback) => callback();
  return (name, callback) => locks.request(name, callback) as Promise<Awaited<ReturnType<typeof callback>>>;
}

// Wraps fetch for ChatterClient so POST /v1/auth/refresh is safe with several tabs (see above).
export function crossTabRefreshFetch(
  inner: FetchLike,
  storage: StorageLike,
  lock: LockFn,
  now: () => number = Date.now,
): FetchLike {
  return (input, init) => {
    if (init.method !== "POST" || !new URL(input, "http://x").pathname.endsWith("/v1/auth/refresh"))
      return inner(input, init);
    return lock("chatterstack-refresh", async () => {
      const presented = refreshTokenOf(init.body);
      const stored = loadTokens(storage);
      if (stored && presented && stored.refreshToken !== presented && stored.expiresAt - now() > 10_000) {
        // Another tab spent it already: answer with the pair it stored.
        return jsonResponse({
          user: loadUser(storage) ?? { id: stored.userId },
          access_token: stored.accessToken,
          refresh_token: stored.refreshToken,
          token_type: "Bearer",
          expires_in: Math.floor((stored.expiresAt - now()) / 1000),
        });
      }
      const response = await inner(input, init);
      if (response.ok) {
        // Store the new pair before the lock is released, so the next tab sees it.
        const body = (await response.clone().json()) as { access_token: string; refresh_token: string; expires_in: number; user?: { id: string } };
        saveTokens(storage, {
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          expiresAt: now() + body.expires_in * 1000,
          userId: body.user?.id ?? stored?.userId,
        });
      }
      return response;
    });
  };
}

function refreshTokenOf(body: RequestInit["body"]): string | undefined {
  if (typeof body !== "string") return undefined;
  try {
    return (JSON.parse(body) as { refresh_token?: string }).refresh_token;
  } catch {
    return undefined;
  }
}

function jsonResponse(value: unknown): Response {
  return new Response(JSON.stringify(value), { status: 200, headers: { "Content-Type": "application/json" } });
}
