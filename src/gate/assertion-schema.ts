import { z } from 'zod';
import { ASSERTION_LEVELS } from '../result/vocabulary.js';

// The gate's own input, here rather than in config: the gate reads it, and the spec schema embeds it
// (config -> assert, never back).
const assertionLevel = z.enum(ASSERTION_LEVELS);
/** "off" | "warn" | "error", or [level, { maxNumericValue, minScore, maxIncrease }] (Lighthouse CI's assertion form). */
export const assertionSchema = z.union([
  assertionLevel,
  z.tuple([
    assertionLevel,
    z.strictObject({
      maxNumericValue: z.number().optional(),
      minScore: z.number().min(0).max(1).optional(),
      /** A budget against the baseline run, like Lighthouse CI's: numericValue may rise by at most this much. */
      maxIncrease: z.number().min(0).optional(),
    }),
  ]),
]);
export type AssertionSpec = z.infer<typeof assertionSchema>;
