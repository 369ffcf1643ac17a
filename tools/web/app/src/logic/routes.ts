// The app's hash routes (#/room/<id>, ...) and invite links. Hash routing keeps every page at
// /app/ itself, so any static server (or the gateway's /app/ route) serves it without rewrites.

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

// The link that opens a room's preview and join button: <origin><base>#/join/<id>.
export function inviteLink(origin: string, base: string, roomId: string): string {
  return `${origin}${base}#/join/${encodeURIComponent(roomId)}`;
}

// Accepts a room id or an invite link (…/app/#/join/<id>, or a room's own …#/room/<id>).
export function roomIdFromInput(text: string): string {
  const trimmed = text.trim();
  const match = /#\/(?:join|room)\/([^/?#\s]+)/.exec(trimmed);
  return decodeURIComponent(match ? match[1] : trimmed);
}
