import { roomOf, type ImportEdge } from '../helpers/import-graph.js';

// The house rules of CONVENTIONS.md §1-2, as checks over the import graph of src/. Pure, so the test can
// show each rule fires on a graph that breaks it.

const TFJS = (pkg: string) => pkg.startsWith('@tensorflow/');

/** Everything reachable from the files matching `start` (files and packages), following `follow` edges. */
export function reach(
  edges: ImportEdge[],
  start: (file: string) => boolean,
  follow: (e: ImportEdge) => boolean = () => true,
): Map<string, string[]> {
  const out = new Map<string, ImportEdge[]>();
  for (const e of edges)
    if (e.kind === 'file') out.set(e.from, [...(out.get(e.from) ?? []), e]);
    else out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const paths = new Map<string, string[]>(); // reached node -> the chain that reached it
  const queue = [...new Set(edges.map((e) => e.from).filter(start))].map((f) => [f]);
  for (const chain of queue) paths.set(chain[0]!, chain);
  while (queue.length) {
    const chain = queue.shift()!;
    for (const e of out.get(chain[chain.length - 1]!) ?? []) {
      if (!follow(e) || paths.has(e.to)) continue;
      const next = [...chain, e.to];
      paths.set(e.to, next);
      if (e.kind === 'file') queue.push(next);
    }
  }
  return paths;
}

/** Folders whose subfolders are rooms of their own (gather's model/, data/, train/...; analyzers' support/). */
const SPLIT_ROOMS = new Set(['gather', 'analyzers']);

/**
 * The room a file lives in, one level finer than roomOf inside the split folders: 'gather/model/x.ts' ->
 * 'gather/model', while a file at the top of a split folder ('gather/gather.ts') is a room of its own, as the
 * files at the top of src/ are.
 */
export function subroomOf(file: string): string {
  const parts = file.split('/');
  if (!SPLIT_ROOMS.has(parts[0]!)) return roomOf(file);
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file.replace(/\.ts$/, '');
}

/** Cycles in the room graph (one room's files importing another's and back), each as a chain of rooms. */
export function roomCycles(
  edges: ImportEdge[],
  ignore: (e: ImportEdge) => boolean = () => false,
  room: (file: string) => string = roomOf,
): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.kind !== 'file' || ignore(e)) continue;
    const [a, b] = [room(e.from), room(e.to)];
    if (a !== b) graph.set(a, new Set([...(graph.get(a) ?? []), b]));
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (room: string, stack: string[]): void => {
    state.set(room, 'open');
    for (const next of graph.get(room) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), room, next]);
      else if (!state.has(next)) visit(next, [...stack, room]);
    }
    state.set(room, 'done');
  };
  for (const room of [...graph.keys()].sort()) if (!state.has(room)) visit(room, []);
  return cycles.map((c) => c.filter((r, i) => i === 0 || r !== c[i - 1]));
}

const inRoom =
  (...rooms: string[]) =>
  (file: string) =>
    rooms.includes(roomOf(file));

/** Every broken rule, one line each naming the chain of imports that breaks it. */
export function boundaryViolations(edges: ImportEdge[]): string[] {
  const v: string[] = [];
  const chain = (p: string[]) => p.join(' -> ');

  // report and analyzers never reach gather or tfjs (render/analyze must run without TensorFlow.js).
  for (const [node, p] of reach(edges, inRoom('report', 'analyzers'))) {
    if (roomOf(node) === 'gather' || TFJS(node)) v.push(`report/analyzers reach ${node}: ${chain(p)}`);
  }
  // tfjs is imported only under gather.
  for (const e of edges)
    if (e.kind === 'package' && TFJS(e.to) && roomOf(e.from) !== 'gather')
      v.push(`only gather imports tfjs: ${e.from} -> ${e.to}`);
  // result is a leaf: its own files, the artifacts schema it embeds, errors, util and the version.
  const resultMayImport = (to: string) =>
    ['result', 'errors', 'util', 'version'].includes(roomOf(to)) || to === 'artifacts/schema.ts';
  for (const e of edges)
    if (e.kind === 'file' && roomOf(e.from) === 'result' && !resultMayImport(e.to))
      v.push(`result is a leaf: ${e.from} -> ${e.to}`);
  // audit never reaches the outputs, the queue or the CLI.
  for (const [node, p] of reach(edges, inRoom('audit'))) {
    if (['report', 'queue', 'cli', 'notify'].includes(roomOf(node)) && node.endsWith('.ts'))
      v.push(`audit reaches ${roomOf(node)}: ${chain(p)}`);
  }
  // nothing imports the CLI.
  for (const e of edges)
    if (e.kind === 'file' && roomOf(e.to) === 'cli' && roomOf(e.from) !== 'cli')
      v.push(`nothing imports cli: ${e.from} -> ${e.to}`);
  // The CLI's entry loads commands lazily: its static imports reach no tfjs, queue or browser.
  const heavy = (n: string) =>
    TFJS(n) || ['bullmq', 'ioredis', 'puppeteer', 'puppeteer-core', 'nodemailer'].includes(n);
  for (const [node, p] of reach(
    edges,
    (f) => f === 'cli/main.ts',
    (e) => !e.dynamic,
  ))
    if (heavy(node)) v.push(`cli/main.ts loads ${node} before a command runs: ${chain(p)}`);
  // No cycles between rooms, counting the imports that load code: `import type` is erased at compile time,
  // so a type-only use of a contract (e.g. analyzers naming the Spec type in their repairs) is allowed.
  // Within a room (e.g. gather's model loaders) files may know each other.
  for (const c of roomCycles(edges, (e) => e.typeOnly))
    if (!knownCycle(c)) v.push(`rooms import each other: ${chain(c)}`);
  // The same inside gather/ and analyzers/, room by subfolder, and file by file everywhere.
  for (const c of roomCycles(
    edges,
    (e) => e.typeOnly || roomOf(e.from) !== roomOf(e.to) || !SPLIT_ROOMS.has(roomOf(e.from)),
    subroomOf,
  )) {
    v.push(`rooms import each other: ${chain(c)}`);
  }
  for (const c of roomCycles(
    edges,
    (e) => e.typeOnly,
    (f) => f,
  ))
    v.push(`files import each other: ${chain(c)}`);
  // policy sits below config, gather and the queue: it reads only its own files, errors and util (a type too).
  for (const e of edges) {
    if (e.kind === 'file' && roomOf(e.from) === 'policy' && !['policy', 'errors', 'util'].includes(roomOf(e.to)))
      v.push(`policy is below config: ${e.from} -> ${e.to}`);
  }
  return v;
}

/**
 * Cycles that exist on main today and are owned elsewhere, listed so that no new one can join them. Each
 * says how to untie it; the test fails when one is gone, so the entry gets removed.
 */
export const KNOWN_ROOM_CYCLES: ReadonlyArray<{ rooms: string[]; why: string }> = [];

const sameRooms = (a: string[], b: string[]) => [...new Set(a)].sort().join() === [...new Set(b)].sort().join();
function knownCycle(cycle: string[]): boolean {
  return KNOWN_ROOM_CYCLES.some((k) => sameRooms(k.rooms, cycle));
}

/** Known cycles that no longer occur (remove them from KNOWN_ROOM_CYCLES). */
export function staleKnownCycles(edges: ImportEdge[]): string[] {
  const now = roomCycles(edges, (e) => e.typeOnly);
  return KNOWN_ROOM_CYCLES.filter((k) => !now.some((c) => sameRooms(k.rooms, c))).map((k) => k.rooms.join(' <-> '));
}
