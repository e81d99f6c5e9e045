import { defineConfig } from 'vitest/config';

/** The unit tier (npm run test:unit): pure stages, hand-written inputs; no Redis, no browser, no training. */
export const UNIT_TESTS = [
  'test/analyzers/**/*.test.ts',
  'test/gate/**/*.test.ts',
  'test/result/**/*.test.ts',
  'test/config/**/*.test.ts',
  'test/architecture/**/*.test.ts',
  'test/report/**/*.test.ts',
  'test/gather/data.test.ts',
  'test/artifacts/**/*.test.ts',
  'test/queue/settings.test.ts',
  'test/queue/compose.test.ts',
  'test/docs/analyzer-docs.test.ts',
  'test/gather/onnx/**/*.test.ts',
];

// `vitest run --mode unit` (cross-platform, unlike an env assignment in the npm script); NNAUDIT_TIER tells
// test/helpers/requirements.ts to skip Redis/Chromium/corpus suites even where those are installed.
export default defineConfig(({ mode }) => ({
  test: {
    include: mode === 'unit' ? UNIT_TESTS : ['test/**/*.test.ts'],
    env: mode === 'unit' ? { NNAUDIT_TIER: 'unit' } : {},
    // tfjs training is CPU-bound: run files in forks, two at a time on this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    // Generous: a full run shares 2 cores with training child processes; tests wait on conditions, and
    // these only stop a hung test. Tests that train many models set their own.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
}));
