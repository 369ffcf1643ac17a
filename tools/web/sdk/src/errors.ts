// Typed errors: ApiError carries the API's error envelope (code, message, the offending field);
// the session's errors say why a WebSocket request or the session itself ended.
import type { ErrorCode, FieldViolation } from "./types.js";

// An error answer of the REST API (or a WebSocket `error` reply), with the envelope's fields.
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    // HTTP status; 0 when no answer came (network failure) or for a WebSocket reply.
    readonly status: number,
    // The gRPC code in snake_case ("unauthenticated", "already_exists", ...).
    readonly code: ErrorCode | string,
    message: string,
    readonly details: FieldViolation[] = [],
    readonly requestId?: string,
    // Milliseconds to wait before retrying (429's Retry-After, or the WS error's retry_after_ms).
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  // The first offending input field ("email", "room_id", ...), if the error names one.
  get field(): string | undefined {
    return this.details[0]?.field;
  }
}

// A WebSocket request that could not be answered: the connection dropped, the session closed,
// or no reply came in time.
export class SessionError extends Error {
  override readonly name = "SessionError";
  constructor(
    readonly reason: "connection_lost" | "session_closed" | "timeout",
    message: string,
  ) {
    super(message);
  }
}
