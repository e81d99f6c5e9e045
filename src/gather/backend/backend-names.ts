// The backend names without tfjs: the CLI lists them in --help and validates --backend,
// and must not load TensorFlow.js to do so (render/analyze run with @tensorflow/* absent).
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
