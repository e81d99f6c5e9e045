import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { z } from 'zod';
import { STATUSES } from '../result/schema.js';

/** The bundled fixtures folder. */
export function fixturesDir(): string {
  return path.join(packageRoot(), 'fixtures');
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
