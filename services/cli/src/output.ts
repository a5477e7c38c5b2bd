/** Renders rows as an aligned text table (numbers right-aligned), for people at a terminal. */
export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const names = columns ?? Object.keys(rows[0] ?? {});
  if (names.length === 0) return '(no rows)';
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  };
  const cells = rows.map((row) => names.map((name) => cell(row[name])));
  const numeric = names.map(
    (name) => rows.length > 0 && rows.every((row) => typeof row[name] === 'number' || row[name] === null),
  );
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((line) => (line[i] as string).length)));
  const pad = (text: string, i: number) =>
    numeric[i] ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const lines = [
    names.map(pad).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((line) => line.map(pad).join('  ')),
  ];
  return lines.map((line) => line.trimEnd()).join('\n');
}
