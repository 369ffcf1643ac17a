// Small hooks: re-render on store changes, and the hash route.
import { useEffect, useReducer, useState } from "preact/hooks";
import { parseRoute, type Route } from "../logic/routes.ts";
import type { ChatStore } from "../store.ts";

export function useStoreVersion(store: ChatStore): void {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump()), [store]);
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
