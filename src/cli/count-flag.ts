import { SpecError } from '../errors.js';

/** A flag that counts things (--limit): a whole number >= 1, checked before it reaches Redis (which would say "ERR value is not an integer"). */
export function countFlag(flag: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new SpecError(
      `${flag} ${Number.isNaN(v) ? '(not a number)' : v}: give a whole number of at least 1, e.g. ${flag} 20`,
    );
  return v;
}
