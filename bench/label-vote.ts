/**
 * The validation rows' vote on the training labels (label-noise's second reading, gather's voteFromValidation), read
 * without any network: on clean splits, its false attributions (every fresh set's classification datasets, each
 * split under `seedsPerDataset` more seeds than the benchmark draws), and on the label-noise cases of those sets (its
 * power), and on their class-imbalance cases (training rows cut, labels right: it must stay quiet). No training, so a
 * few seconds. `npm run bench:label-vote -- [seedsPerDataset]` (default 10).
 */
import { benchDatasetsFresh, FRESH_SETS } from './faults-data-fresh.js';
import { faultCases, SET_SEEDS } from './faults-cases.js';
import { validateSpec } from '../src/config/load-spec.js';
import { openDataset, prepareData } from '../src/gather/data/prepare.js';
import { voteFromValidation } from '../src/gather/reference/neighbour-fit.js';
import labelNoise, { readVote } from '../src/analyzers/label-noise.js';
import type { SpecInput } from '../src/config/spec-schema.js';

interface Read {
  id: string;
  gap: number;
  z: number;
}

/** The vote's gap and test on the split gather makes of this spec's rows under `seed`; null when it makes none. */
async function read(id: string, input: SpecInput, seed: number): Promise<Read | null> {
  const spec = validateSpec({ ...input, seed });
  if (!('train' in spec.model)) return null;
  const raw = await openDataset(spec.data, {
    baseDir: process.cwd(),
    seed,
    inputShape: null,
    checkShape: () => undefined,
  });
  const data = prepareData(raw, spec.data, spec.model.train.validationSplit, seed);
  if (!data.validation) return null;
  const r = readVote(voteFromValidation(data.train, data.validation));
  return r.gap === undefined || r.z === undefined ? null : { id, gap: r.gap, z: r.z };
}

const seedsPerDataset = Number(process.argv[2] ?? 10);
const t = labelNoise.thresholds;
const [minZ, failGap, warnGap] = [t.minZ.default, t.failGap.default, t.warnGap.default];
const groups: Record<'clean splits' | 'label-noise cases' | 'class-imbalance cases', Read[]> = {
  'clean splits': [],
  'label-noise cases': [],
  'class-imbalance cases': [],
};
for (const set of FRESH_SETS) {
  const { datasets } = await benchDatasetsFresh(set);
  for (const c of faultCases(datasets, SET_SEEDS[set])) {
    if (c.task !== 'classification') continue;
    const caseSeed = (c.spec as { seed: number }).seed;
    if (c.operator === null && caseSeed === SET_SEEDS[set].clean[0]) {
      // Seeds no set uses for its cases: 10,000 + 1,000 x set + k.
      for (let k = 0; k < seedsPerDataset; k++) {
        const seed = 10_000 + set * 1000 + k;
        const r = await read(`set ${set} ${c.dataset} @${seed}`, c.spec, seed);
        if (r) groups['clean splits'].push(r);
      }
    } else if (c.operator === 'label-noise' || c.operator === 'class-imbalance') {
      const r = await read(`set ${set} ${c.id}`, c.spec, caseSeed);
      if (r) groups[c.operator === 'label-noise' ? 'label-noise cases' : 'class-imbalance cases'].push(r);
    }
  }
}
const count = (rs: Read[], gap: number) => rs.filter((r) => r.z >= minZ && r.gap >= gap).length;
const lines = [
  `label-noise's validation-rows vote, no network: fail = z >= ${minZ} and gap >= ${failGap}; warn = z >= ${minZ} and gap >= ${warnGap}`,
];
for (const [name, rs] of Object.entries(groups)) {
  const fails = count(rs, failGap);
  lines.push(
    `${name.padEnd(22)} ${String(rs.length).padStart(4)}  fail ${String(fails).padStart(4)}  warn ${String(count(rs, warnGap) - fails).padStart(3)}  largest z ${Math.max(...rs.map((r) => r.z)).toFixed(2)}`,
  );
}
const shown = (r: Read) => `${r.id}: gap ${r.gap.toFixed(2)}, z ${r.z.toFixed(2)}`;
lines.push(
  'label-noise cases the vote alone does not fail:',
  ...groups['label-noise cases'].filter((r) => r.z < minZ || r.gap < failGap).map((r) => `  ${shown(r)}`),
);
lines.push(
  'highest z without changed labels:',
  ...[...groups['clean splits'], ...groups['class-imbalance cases']]
    .sort((a, b) => b.z - a.z)
    .slice(0, 3)
    .map((r) => `  ${shown(r)}`),
);
process.stdout.write(`${lines.join('\n')}\n`);
