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
  if (t.dtype !== 'float32' || tf.getBackend() !== 'wasm' || t.isDisposed) return null;
  const backend = tf.backend() as unknown as HeapBackend;
  if (backend.dataIdMap.get(t.dataId) === undefined) return null;
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapAddress(backend, t), t.size);
}
