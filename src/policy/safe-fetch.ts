import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { UserInputError } from '../errors.js';
import { checkAddress, checkUrl } from './url-policy.js';
import type { InputPolicy } from './input-policy.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  /** Redirects followed, each re-checked against the policy. */
  maxRedirects?: number;
  /** When set, the URL and every redirect must stay on this origin (weight shards: only from the model's origin). */
  sameOrigin?: string;
  /** What is being fetched, for messages ("model file", "weight shard"). */
  what: string;
}

/** A DNS lookup that refuses special addresses at connect time: the address checked is the address used. */
function checkedLookup(host: string, policy: InputPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) checkAddress(a.address, host, policy);
      } catch (e) {
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function describeNetError(e: NodeJS.ErrnoException, url: URL, limits: FetchLimits): string {
  const at = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${at} (is the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${url.hostname} not found (DNS)`;
    case 'ECONNRESET':
      return `connection reset by ${at}`;
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return `no response from ${at} within ${limits.timeoutMs / 1000} s`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${at} is unreachable`;
    default:
      return `request to ${at} failed (${e.code ?? 'network error'})`;
  }
}

function getOnce(
  url: URL,
  policy: InputPolicy,
  limits: FetchLimits,
): Promise<{ status: number; location: string | null; body: Uint8Array }> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolveOnce, rejectOnce) => {
    // The socket timeout below fires only on silence; a server dripping a byte a second is never silent. This
    // deadline covers the whole response, headers and body, so no server holds a worker longer than timeoutMs.
    const deadline = setTimeout(() => {
      req.destroy();
      reject(
        new UserInputError(
          'model-load',
          `${url.href}: the ${limits.what} did not arrive within ${limits.timeoutMs / 1000} s`,
        ),
      );
    }, limits.timeoutMs);
    const resolve = (v: { status: number; location: string | null; body: Uint8Array }) => {
      clearTimeout(deadline);
      resolveOnce(v);
    };
    const reject = (e: unknown) => {
      clearTimeout(deadline);
      rejectOnce(e);
    };
    const req = mod.get(
      url,
      { lookup: checkedLookup(url.hostname, policy), timeout: limits.timeoutMs, headers: { accept: '*/*' } },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve({ status, location: res.headers.location, body: new Uint8Array() });
          return;
        }
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > limits.maxBytes) {
          res.destroy();
          reject(
            new UserInputError(
              'model-load',
              `${url.href}: ${limits.what} is ${declared} bytes, over the ${limits.maxBytes}-byte cap`,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (c: Buffer) => {
          total += c.byteLength;
          if (total > limits.maxBytes) {
            res.destroy();
            reject(
              new UserInputError('model-load', `${url.href}: ${limits.what} exceeds the ${limits.maxBytes}-byte cap`),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status, location: null, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', (e: NodeJS.ErrnoException) =>
          reject(new UserInputError('model-load', `${url.href}: ${describeNetError(e, url, limits)}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e instanceof UserInputError
          ? e
          : new UserInputError('model-load', `${url.href}: ${describeNetError(e, url, limits)}`),
      );
    });
  });
}

/**
 * GETs a URL under a policy: scheme and host checked before connecting, every resolved address checked at
 * connect time, every redirect re-checked (and kept on `sameOrigin` when given), a byte cap and a timeout.
 * Errors name the URL and what went wrong ("connection refused", "too many redirects"), never the body.
 */
export async function safeFetch(raw: string, policy: InputPolicy, limits: FetchLimits): Promise<Uint8Array> {
  const max = limits.maxRedirects ?? 5;
  let url = checkUrl(raw, policy);
  for (let hop = 0; ; hop++) {
    if (limits.sameOrigin !== undefined && url.origin !== limits.sameOrigin) {
      throw new UserInputError(
        'model-load',
        `${raw}: ${limits.what} redirects to ${url.origin}, outside the model's origin ${limits.sameOrigin}; refusing it`,
      );
    }
    const r = await getOnce(url, policy, limits);
    if (r.location === null) {
      if (r.status < 200 || r.status >= 300)
        throw new UserInputError('model-load', `${url.href}: HTTP ${r.status} for the ${limits.what}`);
      return r.body;
    }
    if (hop >= max)
      throw new UserInputError('model-load', `${raw}: too many redirects (more than ${max}) for the ${limits.what}`);
    url = checkUrl(new URL(r.location, url).href, policy);
  }
}
