import { describe, expect, it } from 'vitest';
import { analyzerPage, stalePages } from '../../scripts/analyzer-docs.js';
import deadRelu from '../../src/analyzers/dead-relu.js';
import { ROOT } from '../helpers/cli.js';

describe('per-analyzer pages in docs/analyzers/', () => {
  it('are generated from the analyzer: its title, every threshold with its default and source, its gate level', () => {
    const page = analyzerPage(deadRelu);
    expect(page).toContain('# `dead-relu`: ReLU units are alive');
    for (const [name, def] of Object.entries(deadRelu.thresholds)) {
      expect(page).toContain(`| \`${name}\` | ${def.default} |`);
    }
    expect(page).toContain('fails the gate (`error`)');
    expect(page).toContain('3 probes in a row');
  });

  it("are current (run `npm run docs:analyzers` after changing an analyzer's meta or thresholds)", () => {
    expect(stalePages(ROOT)).toEqual([]);
  });
});
