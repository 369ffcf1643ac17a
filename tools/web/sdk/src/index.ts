// @chatterstack/client: the REST client, the WebSocket session and their types.
export { ChatterClient, type ChatterClientOptions, type FetchLike, type RequestOptions } from "./rest.js";
export {
  ChatterSession,
  type PendingSend,
  type SendOptions,
  type SessionOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./session.js";
export { ApiError, SessionError } from "./errors.js";
export { refreshMarginMs, staticToken, type StoredTokens, type TokenProvider } from "./tokens.js";
export { backoffDelay, type BackoffOptions } from "./backoff.js";
export type * from "./events.js";
export type * from "./types.js";
