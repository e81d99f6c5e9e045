/**
 * What "the inverse of the injected fault" is, per family of the accuracy benchmark and per operator of the fault
 * benchmark: the repairs (src/fix/spec-patches.ts) that undo what a case was built with. Written before the
 * benchmark was run on them; an operator no repair in the catalogue can undo maps to [] and is reported as n/a.
 */

/** Accuracy benchmark v1 and the failing fixtures, by case id (bench/accuracy-cases.ts, fixtures/specs). */
export const ACCURACY_INVERSE: Array<{ match: RegExp; repairs: string[]; fault: string }> = [
  {
    match: /^(fixture:dead-relu|dead-)/,
    repairs: ['he-init'],
    fault: 'a hidden layer initialized with a large negative bias',
  },
  {
    match: /^(fixture:vanishing-gradients|vanish-)/,
    repairs: ['relu-he', 'glorot-init', 'fewer-layers'],
    fault: 'a deep sigmoid/tanh stack with tiny initial weights',
  },
  { match: /^(fixture:exploding-gradients|explode-)/, repairs: ['glorot-init'], fault: 'initial weights with std 2-3' },
  {
    match: /^(fixture:overfitting|overfit-)/,
    repairs: ['fewer-epochs', 'smaller-layers', 'dropout'],
    fault: '150 epochs of a 256x256 net on 80 samples',
  },
  {
    match: /^(fixture:underfitting|linear-)/,
    repairs: ['add-hidden-layers'],
    fault: 'no hidden layer on non-linear data',
  },
  { match: /^tiny-lr-/, repairs: ['lr-up', 'adam'], fault: 'SGD at learning rate 1e-5' },
  {
    match: /^fixture:saturated-activations/,
    repairs: ['standardize-inputs', 'glorot-init'],
    fault: 'inputs x50 and std-1 initial weights',
  },
  { match: /^fixture:non-finite-values/, repairs: ['lr-down', 'clip-gradients'], fault: 'SGD at learning rate 5' },
];

/**
 * Fault benchmark (bench/faults-cases.ts), by operator. The healthy model each operator mutates: two relu hidden
 * layers with heNormal, the matching head and loss, Adam at 0.01 (digits 0.003), standardized inputs.
 */
export const FAULT_INVERSE: Record<string, { repairs: string[]; why: string }> = {
  'wrong-output-activation': {
    repairs: ['match-output'],
    why: 'the head activation is changed: match-output sets the one the loss expects',
  },
  'wrong-loss': {
    repairs: ['match-output'],
    why: 'the loss is changed: match-output is the only repair that sets the loss (with the head)',
  },
  'labels-head-mismatch': {
    repairs: ['match-output'],
    why: 'head units/activation and loss disagree with the labels: match-output sets head and loss together',
  },
  'missing-normalization': { repairs: ['standardize-inputs'], why: 'normalize: none on raw units' },
  'linear-layers-only': {
    repairs: ['relu-hidden'],
    why: 'the hidden activations are removed: relu-hidden puts relu back',
  },
  'zero-initialization': { repairs: ['he-init'], why: 'zero kernels on relu layers that had heNormal' },
  'huge-initialization': {
    repairs: ['he-init', 'glorot-init'],
    why: 'std-20 kernels: either initializer restores a sane scale (heNormal is the original)',
  },
  'bias-removed': { repairs: [], why: 'no repair in the catalogue adds biases back' },
  'learning-rate-x100': { repairs: ['lr-down'], why: 'learning rate x100: lr-down is the step back' },
  'learning-rate-div1000': { repairs: ['lr-up'], why: 'learning rate /1000: lr-up is the step back' },
  'wrong-optimizer-settings': { repairs: ['adam'], why: 'SGD 1e-4 or momentum 0.5/0.99 instead of Adam' },
  'too-few-epochs': { repairs: ['more-epochs', 'adam'], why: 'one epoch of SGD instead of Adam for 12-40 epochs' },
  'small-batch-high-momentum': { repairs: ['adam', 'lr-down'], why: 'batch 2, momentum 0.99 at 0.05 instead of Adam' },
  'label-noise': { repairs: [], why: 'wrong labels: no spec patch undoes them' },
  'class-imbalance': { repairs: [], why: 'dropped rows: no spec patch undoes them' },
  'dropout-0.9': { repairs: [], why: 'no repair in the catalogue lowers a dropout rate' },
  'frozen-layers': { repairs: [], why: 'no repair in the catalogue makes a layer trainable again' },
};
