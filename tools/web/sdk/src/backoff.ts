// Reconnect delays: exponential backoff with "equal jitter" (half fixed, half random), so a
// fleet of clients dropped at once (a gateway restart) does not come back in one wave.
export interface BackoffOptions {
  initialMs?: number; // first delay's upper bound (default 500)
  maxMs?: number; // cap (default 30 s)
  factor?: number; // growth per attempt (default 2)
  random?: () => number; // [0, 1), injectable for tests
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, initial * Math.pow(factor, Math.max(0, attempt)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
