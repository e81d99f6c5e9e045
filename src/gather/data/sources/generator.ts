import { createRng } from '../../../util/random.js';
import { generate } from '../generators.js';
import { defineSource } from './source.js';

/** Seeded synthetic datasets (moons, spirals, bars...), with optional scaling and label noise. */
export default defineSource({
  key: 'generator',
  async open(spec, ctx) {
    const d = generate(spec.generator, {
      samples: spec.samples,
      noise: spec.noise,
      classes: spec.classes,
      imageSize: spec.imageSize,
      seed: ctx.seed,
    });
    if (spec.scale !== 1) d.x = d.x.map((v) => v * spec.scale);
    if (spec.labelNoise > 0 && d.task === 'classification') {
      const rng = createRng(ctx.seed + 1);
      for (let i = 0; i < d.y.length; i++) if (rng() < spec.labelNoise) d.y[i] = Math.floor(rng() * d.numClasses);
    }
    return d;
  },
});
