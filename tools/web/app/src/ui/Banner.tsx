// The connection banner ("Reconnecting…", offline, the queue of unsent messages) and the notice
// bar for errors and information.
import type { ChatStore } from "../store.ts";

export function Banner({ store }: { store: ChatStore }) {
  const waiting = store.pendingCount;
  const queued = waiting ? ` ${waiting} message${waiting === 1 ? "" : "s"} will be sent when back online.` : "";
  if (store.closedReason) {
    return (
      <div class="banner banner-closed" role="alert" data-testid="closed-banner">
        Disconnected: {store.closedReason}.{queued}{" "}
        <button type="button" onClick={() => store.reconnect()}>
          Reconnect
        </button>
      </div>
    );
  }
  const reconnecting =
    !store.online || store.connection === "reconnecting" || (store.everOpen && store.connection === "connecting");
  if (!reconnecting) {
    return (
      <div class="visually-hidden" role="status" data-testid="connection-status" data-state={store.connection}>
        {store.connection === "open" ? "Connected" : "Connecting"}
      </div>
    );
  }
  return (
    <div class="banner" role="status" data-testid="reconnecting-banner">
      {store.online ? "Reconnecting…" : "You are offline. Reconnecting when the network is back…"}
      {queued}
    </div>
  );
}

export function NoticeBar({ store }: { store: ChatStore }) {
  const notice = store.notice;
  if (!notice) return null;
  return (
    <div class={`notice notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"} data-testid="notice">
      <span>{notice.text}</span>
      <button type="button" class="link" aria-label="Dismiss" onClick={() => store.setNotice(null)}>
        ×
      </button>
    </div>
  );
}
