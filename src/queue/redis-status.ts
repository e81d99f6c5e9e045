/** Errors that only say Redis cannot be reached right now: the status line covers them, so they are not logged each. */
export function isConnectionError(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code)
  )
    return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket closed unexpectedly/i.test(
    msg,
  );
}

/** The part of an ioredis client (single or cluster) the status line reads. */
export interface StatusSource {
  readonly status: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface RedisStatus {
  /** Whether the watched client is connected now. */
  reachable(): boolean;
  /** Resolves when the client next loses Redis (or at once if it has no connection now). */
  lost(): Promise<void>;
  /** Stops reporting (a close during shutdown is not news). */
  quiet(): void;
}

/**
 * Says where Redis is, once per change, from one client's events: "waiting for Redis at host:port ..." when it cannot
 * be reached (at start or later), "connected to Redis at host:port" when it comes back. ioredis retries on its own;
 * without this, each retry logged a line (or, with no error listener, a raw stack trace).
 */
export function watchRedis(
  client: StatusSource,
  where: string,
  log: (line: string) => void,
  who = 'nnaudit worker',
): RedisStatus {
  let state: 'starting' | 'up' | 'down' = 'starting';
  let silent = false;
  let losers: Array<() => void> = [];
  const down = () => {
    for (const f of losers) f();
    losers = [];
    if (state === 'down' || silent) return;
    state = 'down';
    log(`${who}: waiting for Redis at ${where} ...`);
  };
  client.on('ready', () => {
    if (state === 'down' && !silent) log(`${who}: connected to Redis at ${where}`);
    state = 'up';
  });
  client.on('error', (e: unknown) => {
    if (isConnectionError(e)) down();
    else if (!silent) log(`${who}: Redis: ${e instanceof Error ? e.message : String(e)}`);
  });
  client.on('close', () => {
    if (state !== 'starting') down();
  });
  return {
    reachable: () => client.status === 'ready',
    lost: () =>
      client.status === 'ready'
        ? new Promise<void>((ok) => {
            losers.push(ok);
          })
        : Promise.resolve(),
    quiet: () => {
      silent = true;
    },
  };
}

/** host:port of a redis URL, for status lines (never the password). */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Resolves true when `p` settles within `ms`, false otherwise (shutdown steps that may hang on a dead connection). */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((ok) => {
    timer = setTimeout(() => ok(false), ms);
  });
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}
