// Starting conversations: a new room, a direct message by username, and joining a public room
// from the public room directory (GET /v1/rooms/public, our extension of the API) or by its id or
// invite link (the only way into a room the directory does not list, e.g. a private one).
import type { Room } from "@chatterstack/client";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  directoryQuery,
  kDirectoryPageSize,
  kMaxDirectoryQuery,
  startMore,
  startQuery,
  withFailure,
  withPage,
  type DirectoryState,
} from "../logic/directory.ts";
import { roomIdFromInput } from "../logic/routes.ts";
import { errorText, type ChatStore } from "../store.ts";
import { go } from "./hooks.ts";

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function Back() {
  return (
    <a href="#/" class="back" aria-label="Back to rooms">
      ‹
    </a>
  );
}

export function NewRoomForm({ store }: { store: ChatStore }) {
  const { busy, error, run } = useAction();
  const [name, setName] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("public");
  return (
    <section class="panel" aria-labelledby="new-room-title">
      <header class="panel-header">
        <Back />
        <h1 id="new-room-title">New room</h1>
      </header>
      <form
        class="stack"
        data-testid="new-room-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => go(`/room/${await store.createRoom(name.trim(), visibility)}`));
        }}
      >
        <label>
          Name
          <input
            name="name"
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            data-testid="new-room-name"
          />
        </label>
        <fieldset>
          <legend>Who can join</legend>
          <label class="inline">
            <input
              type="radio"
              name="visibility"
              value="public"
              checked={visibility === "public"}
              onChange={() => setVisibility("public")}
              data-testid="new-room-public"
            />
            Public: anyone with the link
          </label>
          <label class="inline">
            <input
              type="radio"
              name="visibility"
              value="private"
              checked={visibility === "private"}
              onChange={() => setVisibility("private")}
              data-testid="new-room-private"
            />
            Private: members only
          </label>
        </fieldset>
        {error && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || !name.trim()} data-testid="new-room-submit">
          Create room
        </button>
      </form>
    </section>
  );
}

export function DirectForm({ store }: { store: ChatStore }) {
  const { busy, error, run } = useAction();
  const [username, setUsername] = useState("");
  return (
    <section class="panel" aria-labelledby="dm-title">
      <header class="panel-header">
        <Back />
        <h1 id="dm-title">Message someone</h1>
      </header>
      <form
        class="stack"
        data-testid="dm-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => go(`/room/${await store.openDirect(username)}`));
        }}
      >
        <label>
          Username
          <input
            name="username"
            required
            autocomplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="dm-username"
          />
        </label>
        {error && <p class="form-error" role="alert" data-testid="dm-error">{error}</p>}
        <button type="submit" disabled={busy || !username.trim()} data-testid="dm-submit">
          Open conversation
        </button>
      </form>
    </section>
  );
}

// Typing pauses this long before the directory is asked, so a word is one request, not one per key.
const kSearchDelayMs = 250;

function PublicRooms({ store }: { store: ChatStore }) {
  const [text, setText] = useState("");
  const [state, setState] = useState<DirectoryState>(() => startQuery(""));
  const [error, setError] = useState("");
  const { busy, error: joinError, run } = useAction();
  // The latest state for the async callbacks, which would otherwise see the one they closed over.
  const latest = useRef(state);
  latest.current = state;
  const load = async (query: string, append: boolean) => {
    setError("");
    const before = append ? latest.current.nextBefore ?? undefined : undefined;
    try {
      const page = await store.api.listPublicRooms({ q: query || undefined, limit: kDirectoryPageSize, before });
      setState((s) => withPage(s, query, page, append));
    } catch (e) {
      setState((s) => withFailure(s, query));
      if (latest.current.query === query) setError(errorText(e));
    }
  };
  const query = directoryQuery(text);
  useEffect(() => {
    setState((s) => startQuery(query, s.rooms));
    const timer = setTimeout(() => void load(query, false), query ? kSearchDelayMs : 0);
    return () => clearTimeout(timer);
  }, [query]);
  return (
    <div class="directory">
      <h2 id="directory-title">Public rooms</h2>
      <label>
        Search public rooms by name
        <input
          type="search"
          value={text}
          maxLength={kMaxDirectoryQuery}
          autocomplete="off"
          onInput={(e) => setText(e.currentTarget.value)}
          data-testid="directory-search"
        />
      </label>
      {(error || joinError) && (
        <p class="form-error" role="alert" data-testid="directory-error">
          {error || joinError}
        </p>
      )}
      <ul class="directory-list" aria-labelledby="directory-title" aria-busy={state.loading} data-testid="public-rooms">
        {state.rooms.map((room) => (
          <li class="directory-entry" key={room.id} data-testid="public-room" data-room-id={room.id}>
            <span class="directory-name"># {room.name}</span>
            <span class="muted">
              {room.member_count} member{room.member_count === 1 ? "" : "s"}
            </span>
            {store.rooms.has(room.id) ? (
              <a class="button" href={`#/room/${room.id}`}>
                Open
              </a>
            ) : (
              <button
                type="button"
                disabled={busy}
                aria-label={`Join ${room.name}`}
                data-testid="public-room-join"
                onClick={() => void run(async () => go(`/room/${await store.joinRoom(room.id)}`))}
              >
                Join
              </button>
            )}
          </li>
        ))}
      </ul>
      {!state.loading && state.rooms.length === 0 && !error && (
        <p class="muted" data-testid="public-rooms-empty">
          {query ? "No public room has that in its name." : "There are no public rooms yet."}
        </p>
      )}
      {state.nextBefore && (
        <button
          type="button"
          class="secondary"
          disabled={state.loading}
          data-testid="public-rooms-more"
          onClick={() => {
            setState(startMore);
            void load(query, true);
          }}
        >
          More rooms
        </button>
      )}
    </div>
  );
}

export function DiscoverView({ store, roomId }: { store: ChatStore; roomId?: string }) {
  const { busy, error, run } = useAction();
  const [input, setInput] = useState(roomId ?? "");
  const [room, setRoom] = useState<Room | null>(null);
  const preview = (id: string) =>
    run(async () => {
      setRoom(null);
      setRoom(await store.api.getRoom(id));
    });
  useEffect(() => {
    if (roomId) void preview(roomId);
  }, [roomId]);
  const member = room ? store.rooms.has(room.id) : false;
  return (
    <section class="panel" aria-labelledby="discover-title">
      <header class="panel-header">
        <Back />
        <h1 id="discover-title">Join a room</h1>
      </header>
      <PublicRooms store={store} />
      <h2>Invite link</h2>
      <p class="muted">Paste an invite link or a room id. Public rooms can be previewed and joined.</p>
      <form
        class="stack"
        data-testid="discover-form"
        onSubmit={(e) => {
          e.preventDefault();
          void preview(roomIdFromInput(input));
        }}
      >
        <label>
          Invite link or room id
          <input value={input} required onInput={(e) => setInput(e.currentTarget.value)} data-testid="discover-input" />
        </label>
        <button type="submit" class="secondary" disabled={busy || !input.trim()} data-testid="discover-submit">
          Find room
        </button>
      </form>
      {error && <p class="form-error" role="alert" data-testid="discover-error">{error}</p>}
      {room && (
        <div class="room-card" data-testid="room-preview">
          <h2>{room.kind === "direct" ? "Direct conversation" : `# ${room.name}`}</h2>
          <p class="muted">
            {room.member_count} member{room.member_count === 1 ? "" : "s"} · {room.visibility} · {room.last_seq} message
            {room.last_seq === 1 ? "" : "s"}
          </p>
          {member ? (
            <a class="button" href={`#/room/${room.id}`}>
              Open
            </a>
          ) : (
            <button
              type="button"
              disabled={busy || room.visibility !== "public"}
              data-testid="join-room"
              onClick={() => void run(async () => go(`/room/${await store.joinRoom(room.id)}`))}
            >
              Join room
            </button>
          )}
        </div>
      )}
    </section>
  );
}
