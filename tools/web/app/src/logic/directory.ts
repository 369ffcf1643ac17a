// The public room directory (GET /v1/rooms/public) as the discover view shows it: the query as the
// server takes it, and pages folded into one list. Answers can arrive out of order while the user
// types, so each page is applied only to the query it was asked for. Pure functions.
import type { PublicRoomList, Room } from "@chatterstack/client";

// The gateway refuses longer filters (400 naming "q"); room names are at most this long anyway.
export const kMaxDirectoryQuery = 100;
export const kDirectoryPageSize = 20;

export interface DirectoryState {
  // The query the list belongs to (trimmed).
  query: string;
  rooms: Room[];
  // The cursor of the next page; null when the list is complete.
  nextBefore: string | null;
  loading: boolean;
}

// Trimmed and cut to kMaxDirectoryQuery code points, so typing never produces a 400.
export function directoryQuery(input: string): string {
  return Array.from(input.trim()).slice(0, kMaxDirectoryQuery).join("").trim();
}

// A new search, its first page on the way. The rooms of the previous query stay shown until it
// arrives (no flash of an empty list while typing), but cannot be paged further.
export function startQuery(query: string, shown: Room[] = []): DirectoryState {
  return { query, rooms: shown, nextBefore: null, loading: true };
}

// Asking for the next page of the current query.
export function startMore(state: DirectoryState): DirectoryState {
  return state.nextBefore ? { ...state, loading: true } : state;
}

// Folds in a page answered for `query`: a stale answer (the user typed on) changes nothing; a
// next page appends, skipping rooms already listed.
export function withPage(state: DirectoryState, query: string, page: PublicRoomList, append: boolean): DirectoryState {
  if (query !== state.query) return state;
  const rooms = append ? [...state.rooms] : [];
  const seen = new Set(rooms.map((r) => r.id));
  for (const room of page.rooms) {
    if (!seen.has(room.id)) {
      seen.add(room.id);
      rooms.push(room);
    }
  }
  return { query, rooms, nextBefore: page.next_before ?? null, loading: false };
}

// A failed request for `query` ends its loading state (the view shows the error).
export function withFailure(state: DirectoryState, query: string): DirectoryState {
  return query === state.query ? { ...state, loading: false } : state;
}
