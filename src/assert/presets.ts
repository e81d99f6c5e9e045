import type { AssertionSpec } from '../config/spec-schema.js';

/**
 * recommended: the failures that make a model unusable fail the gate; over/underfitting and saturation,
 * which can be a deliberate trade-off, warn. strict: every analyzer must pass outright (score >= 0.9).
 */
export const PRESETS: Record<'recommended' | 'strict' | 'none', Record<string, AssertionSpec>> = {
  recommended: {
    'dead-relu': 'error',
    'exploding-gradients': 'error',
    'non-finite-values': 'error',
    'overfitting': 'error',
    'saturated-activations': 'warn',
    'underfitting': 'error',
    'vanishing-gradients': 'error',
  },
  strict: {
    'dead-relu': ['error', { minScore: 0.9 }],
    'exploding-gradients': ['error', { minScore: 0.9 }],
    'non-finite-values': ['error', { minScore: 0.9 }],
    'overfitting': ['error', { minScore: 0.9 }],
    'saturated-activations': ['error', { minScore: 0.9 }],
    'underfitting': ['error', { minScore: 0.9 }],
    'vanishing-gradients': ['error', { minScore: 0.9 }],
  },
  none: {},
};
