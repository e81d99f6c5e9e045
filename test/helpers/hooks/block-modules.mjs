// Preload (node --import) that makes some packages unresolvable, as if they were not installed.
// NNAUDIT_BLOCK: comma-separated package prefixes, e.g. "@tensorflow/,bullmq".
// Every blocked attempt is printed to stderr as "blocked-import: <specifier>", so a test also catches an import
// that the code under test would catch and survive (e.g. an optional backend probe).
import { register } from 'node:module';
import Module from 'node:module';

const prefixes = (process.env.NNAUDIT_BLOCK ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const blocked = (specifier) => prefixes.some((p) => specifier === p || specifier.startsWith(p.endsWith('/') ? p : `${p}/`));

// ESM imports: a resolve hook running on the loader thread.
const hook = `
const prefixes = ${JSON.stringify(prefixes)};
const blocked = (s) => prefixes.some((p) => s === p || s.startsWith(p.endsWith('/') ? p : p + '/'));
export async function resolve(specifier, context, next) {
  if (blocked(specifier)) {
    process.stderr.write('blocked-import: ' + specifier + '\\n');
    const e = new Error("Cannot find package '" + specifier + "' (blocked by the test)");
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

// CommonJS require() (packages that load others with require): Node 20's ESM hooks do not see those.
const original = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, ...rest) {
  if (blocked(request)) {
    process.stderr.write(`blocked-import: ${request}\n`);
    const e = new Error(`Cannot find module '${request}' (blocked by the test)`);
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return original.call(this, request, ...rest);
};
