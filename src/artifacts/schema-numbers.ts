import { z } from 'zod';

/** Numbers in the artifact and result documents. */
export const num = z.number();
/** JSON has no NaN/Infinity: non-finite numbers are written as null. */
export const maybeNum = z.number().nullable();
