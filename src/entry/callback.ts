/**
 * `nnaudit/callback`: the training callback alone, for a training script that already uses TensorFlow.js.
 * Loads tfjs and the gather stage only (no BullMQ, Puppeteer or Handlebars), so it adds little to start-up.
 *
 * @example
 *   import { nnauditCallback } from 'nnaudit/callback';
 *   const audit = nnauditCallback({ probe: { x: xs, y: ys }, loss: 'categoricalCrossentropy' });
 *   await model.fit(xs, ys, { epochs: 20, callbacks: [audit] });
 *   writeFileSync('artifacts.json', JSON.stringify(audit.artifacts()));   // then: npx nnaudit analyze artifacts.json
 */
export { nnauditCallback, type CallbackOptions } from '../gather/train/callback.js';
export type { Artifacts } from '../artifacts/schema.js';
