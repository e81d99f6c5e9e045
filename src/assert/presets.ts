import type { AssertionSpec } from '../config/spec-schema.js';

/**
 * recommended: any finding with status "fail" fails the gate; "warn" findings are reported but pass.
 * unnormalized-inputs only warns there: it names a likely cause, while the analyzers of its effects
 * (saturation, dead units, exploding gradients) decide whether the model is actually hurt.
 * strict: every analyzer must pass outright (score >= 0.9), so warnings fail the gate too.
 */
export const PRESETS: Record<'recommended' | 'strict' | 'none', Record<string, AssertionSpec>> = {
  recommended: {
    'dead-relu': 'error',
    'exploding-gradients': 'error',
    'learning-rate': 'error',
    'non-finite-values': 'error',
    'oscillating-loss': 'error',
    'output-activation': 'error',
    'overfitting': 'error',
    'saturated-activations': 'error',
    'underfitting': 'error',
    'unnormalized-inputs': 'warn',
    'vanishing-gradients': 'error',
  },
  strict: {
    'dead-relu': ['error', { minScore: 0.9 }],
    'exploding-gradients': ['error', { minScore: 0.9 }],
    'learning-rate': ['error', { minScore: 0.9 }],
    'non-finite-values': ['error', { minScore: 0.9 }],
    'oscillating-loss': ['error', { minScore: 0.9 }],
    'output-activation': ['error', { minScore: 0.9 }],
    'overfitting': ['error', { minScore: 0.9 }],
    'saturated-activations': ['error', { minScore: 0.9 }],
    'underfitting': ['error', { minScore: 0.9 }],
    'unnormalized-inputs': ['error', { minScore: 0.9 }],
    'vanishing-gradients': ['error', { minScore: 0.9 }],
  },
  none: {},
};
