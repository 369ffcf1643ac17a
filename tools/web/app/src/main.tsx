// Entry point: the store, the app, and the service worker (production builds only).
import { render } from "preact";
import { browserDeps, ChatStore } from "./store.ts";
import { App } from "./ui/App.tsx";
import "./styles.css";

const store = new ChatStore(browserDeps(localStorage));
store.start();
render(<App store={store} />, document.getElementById("app")!);

if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch(() => {
      // no offline shell then; the app works the same online
    });
  });
}
