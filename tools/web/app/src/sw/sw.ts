// The app's service worker: precaches the app shell of this build (the list comes from the
// build, see scripts/sw-plugin.ts) and serves it offline. It never caches API responses: /v1/*
// and /ws pass straight through (src/sw/policy.ts).
import { cachePolicy } from "./policy.ts";

interface Shell {
  version: string;
  files: string[];
  index: string;
  base: string;
}
declare const self: ServiceWorkerGlobalScope & { __APP_SHELL__: Shell };

const shell: Shell = self.__APP_SHELL__;
const cacheName = `chatterstack-shell-${shell.version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll([...shell.files, shell.index]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("chatterstack-shell-") && n !== cacheName).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const policy = cachePolicy(request.method, new URL(request.url), self.location.origin, shell.base, request.mode);
  if (policy === "network-only") return; // the browser fetches it as if there were no worker
  if (policy === "shell-navigation") {
    // Network first, so a new deployment shows at once; the cached page when offline.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(shell.index).then((cached) => cached ?? Response.error()),
      ),
    );
    return;
  }
  // Hashed assets never change: the cache first, the network for anything not precached.
  event.respondWith(caches.match(request).then((cached) => cached ?? fetch(request)));
});
