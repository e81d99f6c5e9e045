import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One import in src/: from file to a file in src/ (relative, .ts) or to a package name. */
export interface ImportEdge {
  from: string;
  to: string;
  kind: 'file' | 'package';
  typeOnly: boolean;
  dynamic: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? walk(path.join(dir, d.name))
      : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts')
        ? [path.join(dir, d.name)]
        : [],
  );
}

/** The package a bare specifier names: '@tensorflow/tfjs-core/dist/x' -> '@tensorflow/tfjs-core', 'node:fs' -> 'node:fs'. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Every import of every .ts file under srcDir (paths relative to srcDir, posix), read with the TypeScript
 * parser so comments and strings never count, `import type` is told apart, and `import('x')` is seen.
 */
export function importGraph(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of walk(srcDir)) {
    const from = path.relative(srcDir, file).split(path.sep).join('/');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (spec: string, typeOnly: boolean, dynamic: boolean) => {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
        const resolved = existsSync(target) ? target : path.join(target.replace(/\.ts$/, ''), 'index.ts');
        edges.push({
          from,
          to: path.relative(srcDir, resolved).split(path.sep).join('/'),
          kind: 'file',
          typeOnly,
          dynamic,
        });
      } else {
        edges.push({ from, to: packageName(spec), kind: 'package', typeOnly, dynamic });
      }
    };
    const visit = (node: ts.Node): void => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
        add(node.moduleSpecifier.text, typeOnly, false);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const arg = node.arguments[0];
        // A computed specifier (import(name)) is resolved at run time: recorded by its variable-free prefix only when literal.
        if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false, true);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

/** The room of a file: its folder under src/ ('report/html/x.ts' -> 'report'), or the file itself at the top. */
export function roomOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? file.replace(/\.ts$/, '') : file.slice(0, i);
}
