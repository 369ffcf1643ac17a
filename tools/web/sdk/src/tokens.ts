// How the WebSocket session obtains access tokens: a TokenProvider, which ChatterClient
// implements with the REST refresh route; apps with their own auth layer can supply another.

// Tokens of one login, as the REST client keeps (and an app may persist) them.
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  // When the access token expires, in milliseconds since the epoch (from `expires_in`).
  expiresAt: number;
  // When the pair was obtained (ms since the epoch); with expiresAt it gives the token's lifetime.
  issuedAt?: number;
  userId?: string;
}

// How long before expiry a token counts as due for a refresh: `skewMs`, but at most half of its
// lifetime, so a server with short-lived tokens (60 s, below the usual skew) does not see a
// refresh before every call.
export function refreshMarginMs(tokens: Pick<StoredTokens, "expiresAt" | "issuedAt">, skewMs: number): number {
  if (tokens.issuedAt === undefined) return skewMs;
  return Math.min(skewMs, Math.max(0, (tokens.expiresAt - tokens.issuedAt) / 2));
}

export interface TokenProvider {
  // A current access token; refreshes first when it expires within `minValidityMs`.
  getAccessToken(minValidityMs?: number): Promise<string>;
  // A new access token even if the current one looks valid (the server stopped accepting it).
  refreshAccessToken(): Promise<string>;
  // When the current access token expires (ms since the epoch), if known.
  accessTokenExpiresAt(): number | undefined;
  // Called with each new access token; returns a function that stops the calls.
  onAccessTokenChange?(listener: (accessToken: string) => void): () => void;
}

// A provider for a token that never changes (no refresh: a 4401 ends the session).
export function staticToken(accessToken: string): TokenProvider {
  return {
    getAccessToken: async () => accessToken,
    refreshAccessToken: async () => {
      throw new Error("a static access token cannot be refreshed");
    },
    accessTokenExpiresAt: () => undefined,
  };
}
