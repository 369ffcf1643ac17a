// Small hooks: re-render on store changes, and the hash route.
import { useEffect, useReducer, useState } from "preact/hooks";
import type { ChatStore } from "../store.ts";

export function useStoreVersion(store: ChatStore): void {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump()), [store]);
}

// Hash routes: #/ (rooms), #/room/<id>, #/new, #/direct, #/discover, #/join/<id>, #/contacts.
export interface Route {
  name: "home" | "room" | "new" | "direct" | "discover" | "join" | "contacts";
  id?: string;
}

export function parseRoute(hash: string): Route {
  const [, name = "", id] = hash.replace(/^#/, "").split("/");
  switch (name) {
    case "room":
    case "join":
      return id ? { name, id: decodeURIComponent(id) } : { name: "home" };
    case "new":
    case "direct":
    case "discover":
    case "contacts":
      return { name };
    default:
      return { name: "home" };
  }
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return parseRoute(hash);
}

export function go(path: string): void {
  location.hash = `#${path}`;
}
