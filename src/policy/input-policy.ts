import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors.js';

/**
 * What a spec may read and where its results may go. The CLI on a user's own machine runs with
 * OPEN_POLICY (today's freedom); a queue worker runs every job under `workerPolicy()`, because a queued
 * spec comes from whoever can reach Redis and is untrusted.
 */
export interface InputPolicy {
  /** Real (symlink-resolved) folders files may be read from; null: anywhere. */
  dataDirs: string[] | null;
  /** Host names, IP literals and CIDR ranges URLs may reach; null: any host, any address. */
  allowedHosts: string[] | null;
  /** Domains results may be emailed to; null: any. */
  emailDomains: string[] | null;
  /** Untrusted: error messages must not quote bytes read from inputs. */
  redactContent: boolean;
  /** Largest file or response read (spec.limits.maxInputBytes overrides it per job). */
  maxInputBytes: number;
  origin: 'cli' | 'worker';
}

/** 512 MiB: larger than any model or table nnaudit is meant for, small enough that a worker survives it. */
export const DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024;

export const OPEN_POLICY: InputPolicy = {
  dataDirs: null,
  allowedHosts: null,
  emailDomains: null,
  redactContent: false,
  maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
  origin: 'cli',
};

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The policy a worker applies to queued specs, from its environment:
 * NNAUDIT_DATA_DIRS (comma-separated; default: the worker's working directory),
 * NNAUDIT_ALLOWED_HOSTS (default: none, so no URLs), NNAUDIT_EMAIL_DOMAINS (default: none, so no email).
 */
export function workerPolicy(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): InputPolicy {
  const dirs = list(env['NNAUDIT_DATA_DIRS']);
  const dataDirs = (dirs.length ? dirs : [cwd]).map((d) => {
    try {
      return realpathSync(path.resolve(cwd, d));
    } catch {
      throw new UserInputError(
        'config',
        `NNAUDIT_DATA_DIRS: folder ${d} does not exist; list existing folders, comma-separated`,
      );
    }
  });
  return {
    dataDirs,
    allowedHosts: list(env['NNAUDIT_ALLOWED_HOSTS']).map((h) => h.toLowerCase()),
    emailDomains: list(env['NNAUDIT_EMAIL_DOMAINS']).map((d) => d.toLowerCase().replace(/^@/, '')),
    redactContent: true,
    maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
    origin: 'worker',
  };
}

/** Bytes read under the current policy, so a failure reason can be scrubbed of them (see redact.ts). */
interface PolicyContext {
  policy: InputPolicy;
  readSamples: Uint8Array[];
}

const storage = new AsyncLocalStorage<PolicyContext>();

/** Runs `fn` with `policy` applied to every read made through open-input.ts, however deep. */
export function runWithPolicy<T>(policy: InputPolicy, fn: () => T): T {
  return storage.run({ policy, readSamples: [] }, fn);
}

export function currentPolicy(): InputPolicy {
  return storage.getStore()?.policy ?? OPEN_POLICY;
}

/** Keeps what was read (up to 1 MiB per input) when content must not leak into messages. */
export function recordRead(bytes: Uint8Array): void {
  const ctx = storage.getStore();
  if (ctx?.policy.redactContent && ctx.readSamples.length < 64) ctx.readSamples.push(bytes.subarray(0, 1 << 20));
}

export function readSamples(): Uint8Array[] {
  return storage.getStore()?.readSamples ?? [];
}

/** Throws when an email address is outside the allowed domains. */
export function checkEmail(addresses: readonly string[], policy: InputPolicy = currentPolicy()): void {
  if (policy.emailDomains === null) return;
  for (const a of addresses) {
    const domain = a.slice(a.lastIndexOf('@') + 1).toLowerCase();
    if (!policy.emailDomains.includes(domain)) {
      throw new UserInputError(
        'policy',
        `email ${a}: domain ${domain} is not allowed on this worker ` +
          `(NNAUDIT_EMAIL_DOMAINS=${policy.emailDomains.join(',') || '(empty: no email)'}); ask the operator to add it`,
      );
    }
  }
}
