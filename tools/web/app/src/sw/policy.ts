// What the service worker may answer from its cache: the app shell only. API calls (/v1/*), the
// WebSocket (/ws) and anything outside the app's base path always go to the network untouched.

export type CachePolicy = "network-only" | "shell-navigation" | "shell-asset";

export function cachePolicy(method: string, url: URL, origin: string, base: string, mode: string): CachePolicy {
  if (method !== "GET" || url.origin !== origin) return "network-only";
  const path = url.pathname;
  if (isApiPath(path) || !path.startsWith(base)) return "network-only";
  if (mode === "navigate") return "shell-navigation";
  return "shell-asset";
}

export function isApiPath(path: string): boolean {
  return path === "/ws" || path.startsWith("/ws/") || path === "/v1" || path.startsWith("/v1/");
}
