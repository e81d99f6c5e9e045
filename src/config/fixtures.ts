import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { STATUSES } from '../result/schema.js';

/** The bundled fixtures folder (works from src/ under vitest and from dist/src/ once built). */
export function fixturesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(here, up, 'fixtures');
    try {
      readdirSync(path.join(dir, 'specs'));
      return dir;
    } catch {
      // try the next level
    }
  }
  throw new Error(`cannot find the fixtures folder near ${here}`);
}

const expectationSchema = z.record(z.string(), z.record(z.string(), z.array(z.enum(STATUSES)).min(1)));
export type FixtureExpectations = z.infer<typeof expectationSchema>;

/** fixtures/expected.json: for each fixture, each analyzer's acceptable statuses (ground truth by construction). */
export function fixtureExpectations(): FixtureExpectations {
  const file = path.join(fixturesDir(), 'expected.json');
  return expectationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function fixtureSpecPath(name: string): string {
  return path.join(fixturesDir(), 'specs', `${name}.json`);
}
