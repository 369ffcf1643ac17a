// The message list of a room: older pages load when scrolled to the top (or with the button),
// the view sticks to the bottom while the user is there, and what the user sees is reported to
// the store for read markers. New messages are announced by App's aria-live region (the list
// itself stays quiet, or every older page read would be read out too).
import type { Message } from "@chatterstack/client";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { shortTime } from "../logic/time.ts";
import type { PendingMessage } from "../logic/timeline.ts";
import { errorText, type ChatStore } from "../store.ts";

const kNearTopPx = 120;
const kNearBottomPx = 48;

export function MessageList({ store, roomId }: { store: ChatStore; roomId: string }) {
  const timeline = store.timeline(roomId);
  const ref = useRef<HTMLDivElement>(null);
  // Scroll state from the last render and the last scroll event.
  const last = useRef({ firstSeq: -1, height: 0, top: 0, atBottom: true });
  const loading = store.loadingOlder.has(roomId);
  const messages = timeline.messages;
  const firstSeq = messages[0]?.seq ?? -1;

  const report = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < kNearBottomPx;
    last.current.atBottom = atBottom;
    last.current.top = el.scrollTop;
    last.current.height = el.scrollHeight;
    store.seen(roomId, lastVisibleSeq(el), atBottom);
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = last.current;
    if (prev.firstSeq !== -1 && firstSeq < prev.firstSeq && prev.height) {
      // An older page went in above: keep what the user looked at in place.
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (prev.atBottom) {
      el.scrollTop = el.scrollHeight;
    }
    prev.firstSeq = firstSeq;
    prev.height = el.scrollHeight;
    prev.top = el.scrollTop;
    // A first page that does not fill the view: read more at once.
    if (timeline.loaded && timeline.nextBefore !== null && el.scrollHeight <= el.clientHeight && !loading)
      void store.loadOlder(roomId);
    if (timeline.loaded) report();
  });

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    if (el.scrollTop < kNearTopPx && timeline.nextBefore !== null && !loading) void store.loadOlder(roomId);
    report();
  };

  const unread = store.rooms.get(roomId)?.unread ?? 0;
  const jump = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  };
  return (
    <div class="messages-wrap">
      <div
        class="messages"
        ref={ref}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="off"
        aria-label="Messages"
        data-testid="message-list"
        data-loaded={timeline.loaded ? "true" : "false"}
      >
        <div class="history-edge">
          {loading ? (
            <span class="muted" data-testid="loading-older">
              Loading…
            </span>
          ) : timeline.loaded && timeline.nextBefore === null ? (
            <span class="muted" data-testid="history-start">
              This is the start of the room.
            </span>
          ) : timeline.loaded ? (
            <button type="button" class="link" data-testid="load-older" onClick={() => void store.loadOlder(roomId)}>
              Load older messages
            </button>
          ) : null}
        </div>
        <ol class="message-items">
          {messages.map((m, i) => (
            <MessageItem key={m.seq} store={store} roomId={roomId} message={m} continued={continues(messages[i - 1], m)} />
          ))}
          {timeline.pending.map((p) => (
            <PendingItem key={p.clientMsgId} store={store} roomId={roomId} entry={p} />
          ))}
        </ol>
      </div>
      {unread > 0 && !last.current.atBottom && (
        <button type="button" class="jump" data-testid="jump-latest" onClick={jump}>
          {unread} new message{unread === 1 ? "" : "s"} ↓
        </button>
      )}
    </div>
  );
}

// A message right after another of the same sender (within 5 minutes) shows no author line.
function continues(previous: Message | undefined, message: Message): boolean {
  if (!previous || previous.sender_id !== message.sender_id || previous.sender_kind !== message.sender_kind) return false;
  return Date.parse(message.created_at) - Date.parse(previous.created_at) < 5 * 60_000;
}

// The seq of the lowest message whose top is inside the view.
function lastVisibleSeq(el: HTMLElement): number {
  const bottom = el.getBoundingClientRect().bottom;
  const items = el.querySelectorAll<HTMLElement>("li[data-seq]");
  for (let i = items.length - 1; i >= 0; i--) {
    if (items[i].getBoundingClientRect().top < bottom) return Number(items[i].dataset.seq);
  }
  return 0;
}

function MessageItem(props: { store: ChatStore; roomId: string; message: Message; continued: boolean }) {
  const { store, roomId, message, continued } = props;
  const [editing, setEditing] = useState(false);
  const mine = message.sender_id === store.me?.id;
  const author = message.sender_kind === "user" ? store.username(message.sender_id) : message.sender_kind;
  const remove = async () => {
    if (!confirm("Delete this message?")) return;
    try {
      await store.deleteMessage(roomId, message);
    } catch (error) {
      store.setNotice({ kind: "error", text: errorText(error) });
    }
  };
  return (
    <li
      class={`message ${continued ? "continued" : ""} ${mine ? "mine" : ""} ${message.deleted ? "deleted" : ""} ${message.mentions?.includes(store.me?.id ?? "") ? "mentions-me" : ""}`}
      data-testid="message"
      data-seq={message.seq}
      data-message-id={message.id}
      data-mine={mine ? "true" : "false"}
      data-state="sent"
    >
      <div class="meta">
        <span class="author">{mine ? "You" : author}</span>
        <time dateTime={message.created_at} title={new Date(message.created_at).toLocaleString()}>
          {shortTime(message.created_at)}
        </time>
      </div>
      {editing ? (
        <EditForm
          initial={message.content}
          onCancel={() => setEditing(false)}
          onSave={async (content) => {
            await store.editMessage(roomId, message.id, content);
            setEditing(false);
          }}
        />
      ) : (
        <p class="text" data-testid="message-text">
          {message.deleted ? <em class="muted">Message deleted</em> : message.content}
          {message.edited && !message.deleted && <span class="muted edited"> (edited)</span>}
        </p>
      )}
      {mine && !message.deleted && !editing && (
        <div class="message-actions">
          <button type="button" class="link" data-testid="edit-message" aria-label="Edit message" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" class="link" data-testid="delete-message" aria-label="Delete message" onClick={() => void remove()}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

function EditForm(props: { initial: string; onSave: (content: string) => Promise<void>; onCancel: () => void }) {
  const [text, setText] = useState(props.initial);
  const [error, setError] = useState("");
  return (
    <form
      class="edit-form"
      data-testid="edit-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await props.onSave(text);
        } catch (err) {
          setError(errorText(err));
        }
      }}
    >
      <label class="visually-hidden" for="edit-input">
        Edit message
      </label>
      <textarea
        id="edit-input"
        data-testid="edit-input"
        value={text}
        maxLength={4000}
        ref={(el) => el?.focus()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") props.onCancel();
        }}
      />
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="message-actions">
        <button type="submit" disabled={!text.trim()} data-testid="edit-save">
          Save
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PendingItem({ store, roomId, entry }: { store: ChatStore; roomId: string; entry: PendingMessage }) {
  const state = entry.failed ? "failed" : "pending";
  return (
    <li class={`message mine ${state}`} data-testid="message" data-client-msg-id={entry.clientMsgId} data-mine="true" data-state={state}>
      <div class="meta">
        <span class="author">You</span>
        <span class="muted" data-testid="send-state">
          {entry.failed
            ? `Not sent: ${entry.failed}`
            : store.connection === "open" && store.online
              ? "Sending…"
              : "Waiting for connection…"}
        </span>
      </div>
      <p class="text" data-testid="message-text">
        {entry.content}
      </p>
      {entry.failed && (
        <div class="message-actions">
          <button type="button" class="link" onClick={() => store.retrySend(roomId, entry.clientMsgId)}>
            Retry
          </button>
          <button type="button" class="link" onClick={() => store.discardSend(roomId, entry.clientMsgId)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}
