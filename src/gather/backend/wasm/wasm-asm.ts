/**
 * A few lines of WebAssembly assembler, so nnaudit's small SIMD functions on tfjs-backend-wasm's heap (the Adam
 * update, the convolution filter gradient) are written as instructions next to their formula, not shipped as
 * binaries. Each module imports tfjs' memory as env.memory and exports its functions by name.
 */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

// Opcodes (WebAssembly core 2.0; SIMD ones after the 0xfd prefix, LEB128-encoded).
export const get = (local: number) => [0x20, ...uleb(local)];
export const set = (local: number) => [0x21, ...uleb(local)];
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

/** Signed LEB128, for i32.const. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

// The instructions every kernel's loops use. Memory access takes a byte offset and an alignment hint of 1 byte:
// tfjs' buffers start on 8 bytes, so no load may promise more.
export const memarg = (offset = 0) => [0x00, ...uleb(offset)];
export const v128Load = (offset = 0) => [...simd(0x00), ...memarg(offset)];
export const v128Store = (offset = 0) => [...simd(0x0b), ...memarg(offset)];
/** v128.load32_splat: one float read into all four lanes. */
export const load32Splat = (offset = 0) => [...simd(0x09), ...memarg(offset)];
export const i32Const = (v: number) => [0x41, ...sleb(v)];
export const [i32Add, i32Sub, i32Mul, i32Eqz] = [[0x6a], [0x6b], [0x6c], [0x45]];
export const tee = (local: number) => [0x22, ...uleb(local)];
/** Blocks without results; a loop's br_if 0 jumps back to its start. */
export const [LOOP, BLOCK, IF, END] = [[0x03, 0x40], [0x02, 0x40], [0x04, 0x40], [0x0b]];
export const brIf = (depth = 0) => [0x0d, ...uleb(depth)];
/** counter -= 1, and back to the enclosing loop's start while it is not 0 (so a loop runs counter >= 1 times). */
export const countDown = (counter: number) => [...get(counter), ...i32Const(1), ...i32Sub, ...tee(counter), ...brIf(0)];
/** to += by, both i32 locals. */
export const addLocal = (to: number, by: number) => [...get(to), ...get(by), ...i32Add, ...set(to)];
/** to += a constant. */
export const addConst = (to: number, by: number) => [...get(to), ...i32Const(by), ...i32Add, ...set(to)];
export const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

export interface AsmFunction {
  name: string;
  params: number[];
  /** Local declarations: [count, type] pairs. */
  locals: Array<[number, number]>;
  code: number[];
}

/** A module importing env.memory and exporting `functions`, each with its own type (no results). */
export function moduleBytes(functions: AsmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0x00]);
  const bodies = functions.map((f) => {
    const content = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code, 0x0b];
    return [...uleb(content.length), ...content];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, min 0 pages, no max
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

/** The part of the WebAssembly JS API used here (this project's lib typings do not include it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/**
 * The module's exports bound to `memory` (tfjs-backend-wasm's exported heap), or null where it cannot be: no
 * WebAssembly.Memory there, or no WebAssembly SIMD in this runtime (the module does not validate).
 */
export function instantiate(memory: unknown, bytes: Uint8Array): Record<string, unknown> | null {
  if (wasmApi === undefined || !(memory instanceof wasmApi.Memory)) return null;
  if (!wasmApi.validate(bytes)) return null;
  return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
}
