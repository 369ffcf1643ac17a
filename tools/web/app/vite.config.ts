/// <reference types="vitest/config" />
// Builds the app for the gateway's /app/ path: relative-to-origin API calls, the SDK compiled
// from its sources (../sdk/src, so a fresh clone needs only `npm ci` here), and a service worker
// whose precache list is the build's own file list.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { serviceWorkerPlugin } from "./scripts/sw-plugin.ts";

const gateway = process.env.CHATTER_GATEWAY_URL ?? "http://127.0.0.1:8080";
const kGatewayCsp =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; font-src 'self' data:; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export default defineConfig({
  base: "/app/",
  resolve: {
    alias: {
      "@chatterstack/client": fileURLToPath(new URL("../sdk/src/index.ts", import.meta.url)),
    },
  },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2022", sourcemap: false, assetsInlineLimit: 0 },
  plugins: [serviceWorkerPlugin()],
  // `npm run dev` / `npm run preview` on their own port talk to a running gateway through a proxy,
  // so the page still sees one origin, as it does when the gateway serves /app/ itself.
  server: { proxy: proxy() },
  // The preview sends the Content-Security-Policy the gateway gives its static files, so a
  // violation shows here first.
  preview: { proxy: proxy(), headers: { "Content-Security-Policy": kGatewayCsp } },
  test: { environment: "node", include: ["test/**/*.test.ts"] },
});

function proxy() {
  return {
    "/v1": { target: gateway, changeOrigin: false },
    "/ws": { target: gateway.replace(/^http/, "ws"), ws: true, changeOrigin: false },
  };
}
