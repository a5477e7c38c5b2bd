import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.ts';

// A place others want to live in: no module over 500 lines, no function over 120 lines, outside tests.
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 120;
const ROOT = join(import.meta.dirname, '..', '..');

/** Functions (declarations, expressions, arrows, methods) longer than the limit, with their first line. */
function longFunctions(path: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (last - first + 1 > limit) found.push(`${path}:${first} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('sizes outside tests', () => {
  const files = sourceFiles(ROOT).filter((path) => !path.endsWith('.test.ts'));

  it(`keeps every module under ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((path) => ({ path: relative(ROOT, path), lines: readFileSync(path, 'utf8').split('\n').length }))
      .filter((file) => file.lines > MAX_FILE_LINES)
      .map((file) => `${file.path} (${file.lines} lines)`);
    expect(long).toEqual([]);
  });

  it(`keeps every function under ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap((path) =>
      longFunctions(relative(ROOT, path), readFileSync(path, 'utf8'), MAX_FUNCTION_LINES),
    );
    expect(long).toEqual([]);
  });

  it('finds a long function where there is one (the check itself)', () => {
    const body = Array.from({ length: 130 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `export function f() {\n${body}\n}\n`, MAX_FUNCTION_LINES)).toEqual([
      'x.ts:1 (132 lines)',
    ]);
  });
});
