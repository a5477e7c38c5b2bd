// `pnpm cli simulate` end to end, as its own process. It lives here rather than beside the command because this
// package owns the simulator and its tests; the command is services/cli/src/commands/simulate.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateDossierEvent } from '@commune-pulse/contracts';
import { formatDay, provinceOfCommune, vnDayNumber } from '@commune-pulse/reference-data';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', '..', 'services', 'cli', 'src', 'main.ts');
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...NODE_FLAGS, CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_BROKERS: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pnpm cli simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-simulate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes two weeks of 5 communes ending yesterday, and their staffing roster', async () => {
    const events = join(dir, 'events.ndjson');
    const staffing = join(dir, 'staffing.csv');
    const startedMs = Date.now();
    const run = await cli(['simulate', '--out', events, '--staffing-out', staffing, '--communes', '5', '--weeks', '2']);
    // stderr carries progress lines only (the output is not a terminal), ending with the phase done
    const stderrLines = run.stderr.split('\n').filter((line) => line !== '');
    for (const line of stderrLines) expect(line).toMatch(/^\[simulate\] /);
    expect(stderrLines.at(-1)).toMatch(/: done$/);
    expect(run.code).toBe(0);
    const yesterday = formatDay(vnDayNumber(startedMs) - 1);
    const summary = /^simulated ([0-9,]+) events \(([0-9,]+) dossiers, 5 communes, 14 days (\S+) to (\S+)\)/.exec(
      run.stdout,
    );
    expect(summary, run.stdout).not.toBeNull();
    expect(summary?.[4]).toBe(yesterday);
    expect(run.stdout).toContain(`wrote ${staffing} (5 staffing rows) and ${events}`);

    const lines = readFileSync(events, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(Number(summary?.[1]?.replaceAll(',', '')));
    const communes = new Set<string>();
    for (const line of lines) {
      const result = validateDossierEvent(line, { nowMs: startedMs, provinceOfCommune });
      if (!result.ok) throw new Error(`${result.reject.detail}: ${line}`);
      communes.add(result.event.communeCode);
      // Nothing later than the end of yesterday, Vietnam time.
      expect(formatDay(vnDayNumber(result.event.occurredAtMs)) <= yesterday).toBe(true);
    }
    expect(communes.size).toBe(5);
    const roster = readFileSync(staffing, 'utf8').trimEnd().split('\n');
    expect(roster[0]).toBe('commune_code,valid_from,civil_servants,contract_staff,support_fte,counters');
    expect(new Set(roster.slice(1).map((row) => row.split(',')[0]))).toEqual(communes);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('reproduces a seeded run with faults byte for byte, and reports them', async () => {
    const args = ['--communes', '00004,26278,32071', '--start', '2026-03-02', '--days', '7', '--seed', '42'];
    const faults = ['--redeliver', '0.05', '--late', '0.01', '--invalid', '0.01', '--personal', '0.1', '--json'];
    const [first, second] = await Promise.all([
      cli(['simulate', '--out', join(dir, 'a.ndjson'), ...args, ...faults]),
      cli(['simulate', '--out', join(dir, 'b.ndjson'), ...args, ...faults]),
    ]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(readFileSync(join(dir, 'a.ndjson'))).toEqual(readFileSync(join(dir, 'b.ndjson')));
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ communes: 3, days: 7, firstDay: '2026-03-02', lastDay: '2026-03-08' });
    expect(summary.lines).toBe(summary.events + summary.redelivered + summary.invalid);
    expect(summary.redelivered / summary.events).toBeGreaterThan(0.03);
    const text = readFileSync(join(dir, 'a.ndjson'), 'utf8');
    expect(text.split('\n').length - 1).toBe(summary.lines);
    expect(text).toContain('"ChuHoSo"');
  });

  it('stops with what to fix on a bad argument', async () => {
    const cases: [string[], RegExp][] = [
      [['--out', join(dir, 'x'), '--redeliver', '2'], /--redeliver takes a fraction from 0 to 1/],
      [['--out', join(dir, 'x'), '--communes', '00004,99999'], /not commune codes of the registry: 99999/],
      [['--out', join(dir, 'x'), '--days', '3', '--weeks', '1'], /--days or --weeks, not both/],
      [['--out', join(dir, 'x'), '--start', '2999-01-01'], /in the future/],
      [['--communes', '5'], /exactly one destination/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(['simulate', ...args])));
    for (const [i, run] of runs.entries()) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(cases[i]?.[1] as RegExp);
      expect(run.stderr).toContain('usage:');
    }
    expect(readdirSync(dir)).not.toContain('x');
  });
});
