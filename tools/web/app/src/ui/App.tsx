// The top level: the sign-in screen, or the chat with its sidebar and the current view.
import { useEffect } from "preact/hooks";
import type { ChatStore } from "../store.ts";
import { AuthView } from "./AuthView.tsx";
import { Banner, NoticeBar } from "./Banner.tsx";
import { ContactsView } from "./ContactsView.tsx";
import { DirectForm, DiscoverView, NewRoomForm } from "./Forms.tsx";
import { useRoute, useStoreVersion } from "./hooks.ts";
import { RoomList } from "./RoomList.tsx";
import { RoomView } from "./RoomView.tsx";

export function App({ store }: { store: ChatStore }) {
  useStoreVersion(store);
  const route = useRoute();
  const roomId = route.name === "room" ? route.id! : null;
  useEffect(() => store.openRoom(store.me ? roomId : null), [store, roomId, store.me]);
  useEffect(() => {
    const unread = [...store.rooms.values()].reduce((n, e) => n + e.unread, 0);
    document.title = unread ? `(${unread}) ChatterStack` : "ChatterStack";
  });

  if (!store.me) {
    return (
      <main class="auth-page">
        <NoticeBar store={store} />
        <AuthView store={store} />
      </main>
    );
  }
  const home = route.name === "home";
  return (
    <div class={`shell ${home ? "at-home" : "in-view"}`}>
      <header class="topbar">
        <a class="brand" href="#/">
          <img src={`${import.meta.env.BASE_URL}icons/icon.svg`} alt="" width={28} height={28} />
          <span>ChatterStack</span>
        </a>
        <span class="me" data-testid="current-user">
          @{store.me.username}
        </span>
        <button type="button" class="secondary" data-testid="logout" onClick={() => void logOut(store)}>
          Log out
        </button>
      </header>
      <Banner store={store} />
      <NoticeBar store={store} />
      <div class="visually-hidden" aria-live="polite" data-testid="announcer">
        {store.announcement}
      </div>
      <aside class="sidebar" aria-label="Rooms and actions">
        <nav class="actions" aria-label="Start">
          <a class="action" href="#/new" data-testid="nav-new-room">
            New room
          </a>
          <a class="action" href="#/direct" data-testid="nav-direct">
            Message someone
          </a>
          <a class="action" href="#/discover" data-testid="nav-discover">
            Join a room
          </a>
          <a class="action" href="#/contacts" data-testid="nav-contacts">
            Contacts
          </a>
        </nav>
        <RoomList store={store} activeId={roomId} />
      </aside>
      <main class="content" id="main">
        {route.name === "room" && <RoomView key={roomId} store={store} roomId={roomId!} />}
        {route.name === "new" && <NewRoomForm store={store} />}
        {route.name === "direct" && <DirectForm store={store} />}
        {(route.name === "discover" || route.name === "join") && <DiscoverView store={store} roomId={route.id} />}
        {route.name === "contacts" && <ContactsView store={store} />}
        {home && (
          <div class="empty-state">
            <h1>Welcome, {store.me.username}</h1>
            <p>Pick a room on the left, create one, or message someone by username.</p>
          </div>
        )}
      </main>
    </div>
  );
}

async function logOut(store: ChatStore): Promise<void> {
  const waiting = store.pendingCount;
  if (waiting && !confirm(`${waiting} message(s) are not sent yet and will be dropped. Log out?`)) return;
  await store.logOut();
}
