// ChatterClient: the REST API over fetch, typed from the generated OpenAPI types. It keeps the
// login's tokens, refreshes the access token before it expires (one refresh at a time: refresh
// tokens are single use and a reused one revokes the login) and is the session's TokenProvider.
import { ApiError } from "./errors.js";
import { refreshMarginMs, type StoredTokens, type TokenProvider } from "./tokens.js";
import type { AuthTokens, ErrorEnvelope, QueryOf, RequestBody, SuccessBody } from "./types.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ChatterClientOptions {
  // The gateway, e.g. "https://chat.example.com" or "http://127.0.0.1:8080" (no /v1).
  baseUrl: string;
  // How the access token travels: `Authorization: Bearer` (default) or `X-Auth-Token`
  // (for CDNs that strip Authorization).
  authHeader?: "bearer" | "x-auth-token";
  // Tokens of an earlier login (e.g. from storage).
  tokens?: StoredTokens;
  // Called whenever the tokens change (login, refresh, logout: null), e.g. to persist them.
  onTokensChange?: (tokens: StoredTokens | null) => void;
  // Refresh the access token when it expires within this many ms (default 60 s).
  refreshSkewMs?: number;
  fetch?: FetchLike;
  now?: () => number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  // Send the access token (default true).
  auth?: boolean;
  requestId?: string;
  signal?: AbortSignal;
}

type LoginBody = RequestBody<"Login">;

export class ChatterClient implements TokenProvider {
  readonly baseUrl: string;
  private readonly authHeader: "bearer" | "x-auth-token";
  private readonly refreshSkewMs: number;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly onTokensChange?: (tokens: StoredTokens | null) => void;
  private tokens: StoredTokens | null;
  private refreshing: Promise<string> | null = null;
  private readonly tokenListeners = new Set<(accessToken: string) => void>();

  constructor(options: ChatterClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.authHeader = options.authHeader ?? "bearer";
    this.refreshSkewMs = options.refreshSkewMs ?? 60_000;
    const globalFetch = typeof fetch === "function" ? fetch.bind(globalThis) : undefined;
    const fetchImpl = options.fetch ?? globalFetch;
    if (!fetchImpl) throw new Error("no fetch: pass options.fetch");
    this.fetchImpl = fetchImpl;
    this.now = options.now ?? Date.now;
    this.onTokensChange = options.onTokensChange;
    this.tokens = options.tokens ?? null;
  }

  // The WebSocket URL of this gateway (ws: for http:, wss: for https:).
  get webSocketUrl(): string {
    return `${this.baseUrl.replace(/^http/, "ws")}/ws`;
  }

  get currentTokens(): StoredTokens | null {
    return this.tokens;
  }

  // ---- auth ----

  async signUp(body: RequestBody<"SignUp">): Promise<AuthTokens> {
    return this.storeTokens(await this.call<AuthTokens>("POST", "/v1/auth/signup", { body, auth: false }));
  }

  // `{password, email | username | email_or_username}`.
  async login(body: LoginBody): Promise<AuthTokens> {
    return this.storeTokens(await this.call<AuthTokens>("POST", "/v1/auth/login", { body, auth: false }));
  }

  // Spends the refresh token for a new pair. Concurrent callers share one request.
  async refresh(): Promise<AuthTokens> {
    await this.refreshAccessToken();
    return this.lastAuth!;
  }

  // Ends this login (its refresh token is revoked) and forgets the tokens.
  async logout(): Promise<void> {
    const tokens = this.requireTokens();
    await this.call<void>("POST", "/v1/auth/logout", { body: { refresh_token: tokens.refreshToken } });
    this.setTokens(null);
  }

  async logoutAll(): Promise<void> {
    await this.call<void>("POST", "/v1/auth/logout_all");
    this.setTokens(null);
  }

  me(): Promise<SuccessBody<"GetMe">> {
    return this.call("GET", "/v1/me");
  }

  changePassword(body: RequestBody<"ChangePassword">): Promise<void> {
    return this.call("POST", "/v1/me/password", { body });
  }

  lookupUser(query: QueryOf<"LookupUser">): Promise<SuccessBody<"LookupUser">> {
    return this.call("GET", "/v1/users", { query });
  }

  getUser(userId: string): Promise<SuccessBody<"GetUser">> {
    return this.call("GET", `/v1/users/${seg(userId)}`);
  }

  // ---- rooms ----

  listRooms(): Promise<SuccessBody<"ListRooms">> {
    return this.call("GET", "/v1/rooms");
  }

  createRoom(body: {
    name: string;
    visibility?: RequestBody<"CreateRoom">["visibility"];
  }): Promise<SuccessBody<"CreateRoom">> {
    return this.call("POST", "/v1/rooms", { body });
  }

  // The public room directory (an extension of API.md): public rooms, newest first, optionally
  // those whose name contains `q`; page with `before: page.next_before` until it is null.
  listPublicRooms(query: QueryOf<"ListPublicRooms"> = {}): Promise<SuccessBody<"ListPublicRooms">> {
    return this.call("GET", "/v1/rooms/public", { query });
  }

  getRoom(roomId: string): Promise<SuccessBody<"GetRoom">> {
    return this.call("GET", `/v1/rooms/${seg(roomId)}`);
  }

  joinRoom(roomId: string): Promise<SuccessBody<"JoinRoom">> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/join`);
  }

  leaveRoom(roomId: string): Promise<void> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/leave`);
  }

  listMembers(roomId: string): Promise<SuccessBody<"ListMembers">> {
    return this.call("GET", `/v1/rooms/${seg(roomId)}/members`);
  }

  addMember(roomId: string, userId: string): Promise<SuccessBody<"AddMember">> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/members`, { body: { user_id: userId } });
  }

  removeMember(roomId: string, userId: string): Promise<void> {
    return this.call("DELETE", `/v1/rooms/${seg(roomId)}/members/${seg(userId)}`);
  }

  openDirectRoom(userId: string): Promise<SuccessBody<"OpenDirectRoom">> {
    return this.call("POST", "/v1/direct", { body: { user_id: userId } });
  }

  // ---- messages ----

  // Newest first (`before`), or oldest first with `after` (catch-up).
  listMessages(roomId: string, query: QueryOf<"ListMessages"> = {}): Promise<SuccessBody<"ListMessages">> {
    return this.call("GET", `/v1/rooms/${seg(roomId)}/messages`, { query });
  }

  // With the same `client_msg_id` again, the first message comes back: never a duplicate.
  sendMessage(roomId: string, body: RequestBody<"SendMessage">): Promise<SuccessBody<"SendMessage">> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/messages`, { body });
  }

  editMessage(roomId: string, messageId: string, content: string): Promise<SuccessBody<"EditMessage">> {
    return this.call("PATCH", `/v1/rooms/${seg(roomId)}/messages/${seg(messageId)}`, { body: { content } });
  }

  deleteMessage(roomId: string, messageId: string): Promise<void> {
    return this.call("DELETE", `/v1/rooms/${seg(roomId)}/messages/${seg(messageId)}`);
  }

  markRead(roomId: string, seq: number): Promise<void> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/read`, { body: { seq } });
  }

  markDelivered(roomId: string, seq: number): Promise<void> {
    return this.call("POST", `/v1/rooms/${seg(roomId)}/delivered`, { body: { seq } });
  }

  listReceipts(roomId: string): Promise<SuccessBody<"ListReceipts">> {
    return this.call("GET", `/v1/rooms/${seg(roomId)}/receipts`);
  }

  listReplies(
    roomId: string,
    messageId: string,
    query: QueryOf<"ListReplies"> = {},
  ): Promise<SuccessBody<"ListReplies">> {
    return this.call("GET", `/v1/rooms/${seg(roomId)}/messages/${seg(messageId)}/replies`, { query });
  }

  addReaction(roomId: string, messageId: string, emoji: string): Promise<void> {
    return this.call("PUT", `/v1/rooms/${seg(roomId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`);
  }

  removeReaction(roomId: string, messageId: string, emoji: string): Promise<void> {
    return this.call("DELETE", `/v1/rooms/${seg(roomId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`);
  }

  searchMessages(query: QueryOf<"SearchMessages">): Promise<SuccessBody<"SearchMessages">> {
    return this.call("GET", "/v1/search/messages", { query });
  }

  // ---- contacts ----

  addContact(body: RequestBody<"AddContact">): Promise<SuccessBody<"AddContact">> {
    return this.call("POST", "/v1/contacts", { body });
  }

  listContacts(): Promise<SuccessBody<"ListContacts">> {
    return this.call("GET", "/v1/contacts");
  }

  blockUser(userId: string): Promise<void> {
    return this.call("POST", `/v1/contacts/${seg(userId)}/block`);
  }

  unblockUser(userId: string): Promise<void> {
    return this.call("DELETE", `/v1/contacts/${seg(userId)}/block`);
  }

  reportUser(userId: string, body: RequestBody<"ReportUser">): Promise<SuccessBody<"ReportUser">> {
    return this.call("POST", `/v1/contacts/${seg(userId)}/report`, { body });
  }

  // ---- TokenProvider ----

  async getAccessToken(minValidityMs = this.refreshSkewMs): Promise<string> {
    const tokens = this.requireTokens();
    if (tokens.expiresAt - this.now() > refreshMarginMs(tokens, minValidityMs)) return tokens.accessToken;
    return this.refreshAccessToken();
  }

  refreshAccessToken(): Promise<string> {
    if (!this.refreshing) {
      const { refreshToken } = this.requireTokens();
      this.refreshing = this.call<AuthTokens>("POST", "/v1/auth/refresh", {
        body: { refresh_token: refreshToken },
        auth: false,
      })
        .then((answer) => this.storeTokens(answer).access_token)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  accessTokenExpiresAt(): number | undefined {
    return this.tokens?.expiresAt;
  }

  onAccessTokenChange(listener: (accessToken: string) => void): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }

  // ---- plumbing ----

  // One request. Authenticated calls send a fresh access token; a 401 on one is retried once
  // after a refresh (the token may have expired in flight).
  async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    let token = auth ? await this.getAccessToken() : undefined;
    let response = await this.send(method, path, options, token);
    if (response.status === 401 && token !== undefined && this.tokens?.refreshToken) {
      token = await this.refreshAccessToken();
      response = await this.send(method, path, options, token);
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    token?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.requestId) headers["X-Request-Id"] = options.requestId;
    if (token !== undefined) {
      if (this.authHeader === "bearer") headers.Authorization = `Bearer ${token}`;
      else headers["X-Auth-Token"] = token;
    }
    try {
      return await this.fetchImpl(this.baseUrl + path + queryString(options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error)?.name === "AbortError") throw error;
      throw new ApiError(0, "unavailable", `${method} ${path}: ${(error as Error)?.message ?? error}`);
    }
  }

  private lastAuth: AuthTokens | null = null;

  private storeTokens(answer: AuthTokens): AuthTokens {
    this.lastAuth = answer;
    this.setTokens({
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: this.now() + answer.expires_in * 1000,
      issuedAt: this.now(),
      userId: answer.user?.id,
    });
    return answer;
  }

  private setTokens(tokens: StoredTokens | null): void {
    this.tokens = tokens;
    this.onTokensChange?.(tokens);
    if (tokens) for (const listener of this.tokenListeners) listener(tokens.accessToken);
  }

  private requireTokens(): StoredTokens {
    if (!this.tokens) throw new ApiError(0, "unauthenticated", "not signed in: call signUp or login first");
    return this.tokens;
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function queryString(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function toApiError(response: Response): Promise<ApiError> {
  const requestId = response.headers.get("X-Request-Id") ?? undefined;
  const retryAfter = Number(response.headers.get("Retry-After"));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  let envelope: Partial<ErrorEnvelope> | undefined;
  try {
    envelope = (await response.json()) as Partial<ErrorEnvelope>;
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error;
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `HTTP ${response.status} ${response.statusText}`,
    error?.details ?? [],
    envelope?.request_id ?? requestId,
    retryAfterMs,
  );
}
