import { tf } from '../../tf.js';
import { heapAddress, type HeapBackend } from './kernel-types.js';

/**
 * A float32 tensor's values read where they lie on tfjs-backend-wasm's heap, without the copy `data()` makes: a
 * probe reads every layer's output and gradient for 256 images (tens of millions of values), and the copies and
 * the garbage they left took about a third of a conv net's probe. The view is valid only until the next tfjs
 * operation (an allocation may grow the heap and detach its buffer): read it synchronously, keep nothing.
 * Null on other backends or dtypes: the caller downloads with `data()` instead.
 */
export function heapView(t: tf.Tensor): Float32Array | null {
  const backend = heapHolding(t);
  return backend && new Float32Array(backend.wasm.HEAPU8.buffer, heapAddress(backend, t), t.size);
}

/** The wasm backend whose heap holds this live float32 tensor, or null (another backend or dtype, disposed). */
export function heapHolding(t: tf.Tensor): HeapBackend | null {
  if (t.dtype !== 'float32' || tf.getBackend() !== 'wasm' || t.isDisposed) return null;
  const backend = tf.backend() as unknown as HeapBackend;
  return backend.dataIdMap.get(t.dataId) === undefined ? null : backend;
}
