import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { revokeToken } from '@commune-pulse/api';
import { pressureLevel } from '@commune-pulse/workload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_READS, SQL_ESCAPES } from '../support/sql-escapes.ts';
import { type ApiFixture, HANOI, LAST_WEEK, startApiFixture, WEEKS } from './fixture.ts';

let root: string;
let fixture: ApiFixture;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-api-'));
  fixture = await startApiFixture(root);
});
afterAll(async () => {
  await fixture?.close();
  rmSync(root, { recursive: true, force: true });
});

const getJson = async <T = Record<string, unknown>>(path: string, token = fixture.tokens.ministry): Promise<T> => {
  const response = await fixture.get(path, token);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
};
/** The independent query: the raw rows with their latest version, not the views the API reads. */
const sql = <T>(query: string, params?: Record<string, unknown>) => fixture.warehouse.query<T>(query, params);

describe('figures equal an independent query of the warehouse', () => {
  it('national summary of a week', async () => {
    const body = await getJson<Record<string, unknown>>(`/api/v1/national?week=${LAST_WEEK}&top=3`);
    const [expected] = await sql<Record<string, number>>(
      `SELECT count() AS communes, sum(r) AS required, sumIf(a, a IS NOT NULL) AS actual, sum(n) AS received,
              countIf(l = 'high') AS high
       FROM (SELECT commune_code, argMax(required_fte, computed_at) AS r, argMax(actual_fte, computed_at) AS a,
                    argMax(received, computed_at) AS n, argMax(level, computed_at) AS l
             FROM pressure_indicators_rows WHERE period_kind = 'week' AND period_start = '2026-11-16'
             GROUP BY commune_code)`,
    );
    expect(body.communes).toBe(Number(expected?.communes));
    expect(body.required_fte).toBeCloseTo(Number(expected?.required), 9);
    expect(body.actual_fte).toBeCloseTo(Number(expected?.actual), 9);
    expect(body.received).toBe(Number(expected?.received));
    expect((body.levels as Record<string, number>).high).toBe(Number(expected?.high));
    const top = await sql<{ commune_code: string }>(
      `SELECT commune_code FROM pressure_indicators_rows WHERE period_kind = 'week' AND period_start = '2026-11-16'
       AND pressure_index IS NOT NULL ORDER BY pressure_index DESC, commune_code LIMIT 3`,
    );
    expect((body.most_pressured as { commune_code: string }[]).map((row) => row.commune_code)).toEqual(
      top.map((row) => row.commune_code),
    );
  });

  it('the latest week when none is asked for, and the weeks for the picker', async () => {
    expect((await getJson(`/api/v1/national`)).week).toBe(LAST_WEEK);
    const weeks = await getJson<{ items: { week_start: string }[] }>('/api/v1/weeks');
    const expected = await sql<{ d: string }>(
      "SELECT DISTINCT toString(period_start) AS d FROM pressure_indicators_rows WHERE period_kind = 'week' ORDER BY d DESC",
    );
    expect(weeks.items.map((row) => row.week_start)).toEqual(expected.map((row) => row.d));
  });

  it("the overview: the national page's three answers in one", async () => {
    for (const week of [`week=${LAST_WEEK}&`, '']) {
      const overview = await getJson<Record<string, unknown>>(`/api/v1/overview?${week}top=3`);
      expect(overview.national).toEqual(await getJson(`/api/v1/national?${week}top=3`));
      expect(overview.provinces).toEqual(await getJson(`/api/v1/provinces?${week}`));
      expect(overview.weeks).toEqual(await getJson('/api/v1/weeks'));
    }
    const hanoi = await getJson<{ national: { communes: number }; weeks: unknown }>(
      '/api/v1/overview',
      fixture.tokens.hanoi,
    );
    expect(hanoi.national.communes).toBe(HANOI.communes.length);
    expect(hanoi.weeks).toEqual(await getJson('/api/v1/weeks', fixture.tokens.hanoi));
  });

  it('provinces with their levels', async () => {
    const body = await getJson<{ items: Record<string, unknown>[] }>(`/api/v1/provinces?week=${LAST_WEEK}`);
    const expected = await sql<{ province_code: string; pressure_index: number; required: number }>(
      `SELECT province_code, argMax(pressure_index, computed_at) AS pressure_index, argMax(required_fte, computed_at) AS required
       FROM province_pressure_rows WHERE period_kind = 'week' AND period_start = '2026-11-16'
       GROUP BY province_code ORDER BY province_code`,
    );
    expect(body.items.map((row) => row.province_code)).toEqual(expected.map((row) => row.province_code));
    body.items.forEach((row, i) => {
      expect(row.pressure_index).toBeCloseTo(Number(expected[i]?.pressure_index), 9);
      expect(row.required_fte).toBeCloseTo(Number(expected[i]?.required), 9);
      expect(row.level).toBe(pressureLevel(Number(expected[i]?.pressure_index)));
    });
  });

  it('communes ranked, filtered by province, level and firing rule, paginated', async () => {
    const ranked = await getJson<{ total: number; items: Record<string, unknown>[] }>(
      `/api/v1/communes?week=${LAST_WEEK}&page_size=2&page=2`,
    );
    const order = await sql<{ commune_code: string }>(
      `SELECT commune_code FROM pressure_indicators_rows WHERE period_kind = 'week' AND period_start = '2026-11-16'
       ORDER BY pressure_index IS NULL, pressure_index DESC, commune_code`,
    );
    expect(ranked.total).toBe(order.length);
    expect(ranked.items.map((row) => row.commune_code)).toEqual(order.slice(2, 4).map((row) => row.commune_code));
    const hanoi = await getJson<{ items: Record<string, unknown>[] }>(`/api/v1/communes?week=${LAST_WEEK}&province=01`);
    expect(hanoi.items.map((row) => row.commune_code).sort()).toEqual([...HANOI.communes].sort());
    const firing = await getJson<{ items: Record<string, unknown>[] }>(
      `/api/v1/communes?week=${LAST_WEEK}&rule=overloaded`,
    );
    expect(firing.items.map((row) => row.commune_code).sort()).toEqual(['00008', '25750']);
    const level = (ranked.items[0]?.level ?? 'high') as string;
    const byLevel = await getJson<{ items: Record<string, unknown>[] }>(
      `/api/v1/communes?week=${LAST_WEEK}&level=${level}`,
    );
    const [count] = await sql<{ n: number }>(
      `SELECT count() AS n FROM pressure_indicators_rows WHERE period_kind = 'week' AND period_start = '2026-11-16' AND level = {l:String}`,
      { l: level },
    );
    expect(byLevel.items.length).toBe(Number(count?.n));
  });

  it("one commune's weeks: lifecycle and indicators", async () => {
    const body = await getJson<{ weeks: Record<string, unknown>[] }>(
      `/api/v1/communes/00008/history?week=${LAST_WEEK}&weeks=4`,
    );
    expect(body.weeks.map((row) => row.week_start)).toEqual(['2026-10-26', ...WEEKS]);
    expect(body.weeks[0]?.received).toBeNull();
    const expected = await sql<{ w: string; received: number; open_end: number; p: number }>(
      `SELECT toString(w.week_start) AS w, w.received AS received, w.open_end AS open_end, p.pressure_index AS p
       FROM commune_weekly_rows AS w
       JOIN pressure_indicators_rows AS p ON p.commune_code = w.commune_code AND p.period_start = w.week_start
       WHERE w.commune_code = '00008' ORDER BY w`,
    );
    for (const row of expected) {
      const week = body.weeks.find((candidate) => candidate.week_start === row.w);
      expect(week?.received).toBe(Number(row.received));
      expect(week?.open_end).toBe(Number(row.open_end));
      expect(week?.pressure_index).toBeCloseTo(Number(row.p), 9);
    }
  });

  it('the explanation of a commune-week, as structured data', async () => {
    const body = await getJson<Record<string, unknown>>(`/api/v1/communes/00004/explain?week=${LAST_WEEK}`);
    const [stored] = await sql<{ required_fte: number }>(
      "SELECT required_fte FROM pressure_indicators_rows WHERE commune_code = '00004' AND period_start = '2026-11-16'",
    );
    expect((body.stored as { required_fte: number }).required_fte).toBeCloseTo(Number(stored?.required_fte), 9);
    const steps = body.steps as { step: string }[];
    expect(steps.length).toBeGreaterThan(3);
    const receipts = (body.inputs as { receipts: { procedureCode: string; received: number }[] }).receipts;
    const [dossiers] = await sql<{ n: number }>(
      "SELECT count() AS n FROM dossiers_rows WHERE commune_code = '00004' AND received_at >= '2026-11-15 17:00:00' AND received_at < '2026-11-22 17:00:00'",
    );
    expect(receipts.reduce((sum, r) => sum + r.received, 0)).toBe(Number(dossiers?.n));
  });

  it('alerts: firing, resolved, per province', async () => {
    const firing = await getJson<{ items: Record<string, unknown>[] }>('/api/v1/alerts');
    expect(firing.items.map((row) => row.alert_id).sort()).toEqual(['a-hanoi', 'a-hcmc']);
    const resolved = await getJson<{ items: Record<string, unknown>[] }>('/api/v1/alerts?state=resolved&province=79');
    expect(resolved.items.map((row) => row.alert_id)).toEqual(['a-hcmc-old']);
    expect(resolved.items[0]?.commune_name).toBe('Phường Thủ Dầu Một');
  });

  it('data quality', async () => {
    const body = await getJson<{ items: Record<string, unknown>[] }>('/api/v1/data-quality');
    const expected = await sql<{ d: string; n: number }>(
      `SELECT toString(toDate(computed_at, 'Asia/Ho_Chi_Minh')) AS d, argMax(communes_without_staffing, computed_at) AS n
       FROM estimation_runs GROUP BY d`,
    );
    for (const row of expected) {
      expect(body.items.find((item) => item.day === row.d)?.communes_without_staffing).toBe(Number(row.n));
    }
  });

  it('reports: the list, and each file as it was generated (same SHA-256)', async () => {
    const body = await getJson<{ items: { report_id: string; files: { url: string; sha256: string }[] }[] }>(
      `/api/v1/reports?week=${LAST_WEEK}`,
    );
    expect(body.items.map((row) => row.report_id).sort()).toEqual(['r-01', 'r-79', 'r-national']);
    const hanoi = await getJson<{ items: { report_id: string }[] }>('/api/v1/reports', fixture.tokens.hanoi);
    expect(hanoi.items.map((row) => row.report_id)).toEqual(['r-01']);
    for (const file of body.items.flatMap((row) => row.files)) {
      const response = await fixture.get(file.url, fixture.tokens.ministry);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    }
  });
});

describe('formats and caching', () => {
  it('CSV on request: UTF-8 with a byte-order mark, the same rows as JSON', async () => {
    const response = await fixture.get(`/api/v1/communes?week=${LAST_WEEK}&format=csv`, fixture.tokens.ministry);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^commune_code,province_code,pressure_index/);
    const json = await getJson<{ items: unknown[] }>(`/api/v1/communes?week=${LAST_WEEK}`);
    expect(lines.length - 1).toBe(json.items.length);
    expect(bytes.toString('utf8')).toContain('Phường Ba Đình');
  });

  it('weekly data carries an ETag and answers 304 when it has not changed', async () => {
    const first = await fixture.get(`/api/v1/provinces?week=${LAST_WEEK}`, fixture.tokens.ministry);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    const again = await fixture.get(`/api/v1/provinces?week=${LAST_WEEK}`, fixture.tokens.ministry, {
      headers: { 'if-none-match': etag as string },
    });
    expect(again.status).toBe(304);
  });

  it('the dashboard files: gzipped when the browser takes it, with an ETag, 304 when unchanged', async () => {
    const plain = await fixture.get('/vendor/echarts.min.js', undefined, {
      headers: { 'accept-encoding': 'identity' },
    });
    const body = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get('content-encoding')).toBeNull();
    const etag = plain.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(plain.headers.get('cache-control')).toBe('no-cache');
    const zipped = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
      // fetch would unzip it: the bytes as they travel.
      const url = new URL(`${fixture.api.url}/vendor/echarts.min.js`);
      request(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.bytes.length).toBeLessThan(body.length / 2);
    expect(gunzipSync(zipped.bytes).equals(body)).toBe(true);
    for (const path of ['/', '/dashboard/app.js', '/vendor/echarts.min.js']) {
      const first = await fixture.get(path);
      expect(first.status, path).toBe(200);
      const again = await fixture.get(path, undefined, {
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      });
      expect(again.status, path).toBe(304);
    }
  });

  it('errors as problem+json with a message a person can act on', async () => {
    const bad = await fixture.get('/api/v1/communes?week=2026-W99', fixture.tokens.ministry);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/week: not a week of that year/);
    const missing = await fixture.get('/api/v1/nothing-here', fixture.tokens.ministry);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/no such resource.*\/docs/);
  });

  it('serves OpenAPI 3.1 from the zod schemas, and a reference page', async () => {
    const document = (await (await fixture.get('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters: { name: string }[] }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/v1/communes/{code}/history');
    expect(document.paths['/api/v1/communes']?.get?.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['week', 'province', 'level', 'rule', 'page', 'page_size', 'format']),
    );
    const page = await (await fixture.get('/docs')).text();
    expect(page).toContain('Communes ranked by pressure');
    expect(page).not.toMatch(/<script/);
  });
});

describe('access', () => {
  it('401 without a token, with a bad one and with a revoked one', async () => {
    for (const token of [undefined, 'nonsense', `cpt_${'0'.repeat(12)}_${'0'.repeat(48)}`, fixture.tokens.revoked]) {
      const response = await fixture.get('/api/v1/weeks', token);
      expect(response.status, String(token)).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('a token revoked while the API runs stops working', async () => {
    const { createToken } = await import('@commune-pulse/api');
    const { token, record } = await createToken(fixture.warehouse, 'temporary', 'ministry');
    expect((await fixture.get('/api/v1/weeks', token)).status).toBe(200);
    await revokeToken(fixture.warehouse, record.tokenId);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (await fixture.get('/api/v1/weeks', token)).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  });

  it('refuses other sites and foreign Host names', async () => {
    const fromPage = await fixture.get('/api/v1/weeks', fixture.tokens.ministry, {
      headers: { origin: 'http://evil.example' },
    });
    expect(fromPage.status).toBe(403);
    const url = new URL(fixture.api.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: '/api/v1/weeks',
        headers: { host: 'rebound.example', authorization: `Bearer ${fixture.tokens.ministry}` },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('writes an access log row per request: who, what, when, rows', async () => {
    await fixture.api.flushAccessLog();
    const count = async () => Number((await sql<{ n: number }>('SELECT count() AS n FROM api_access_log'))[0]?.n ?? 0);
    const before = await count();
    const paths = ['/api/v1/weeks', `/api/v1/communes?week=${LAST_WEEK}`, '/api/v1/alerts', '/api/v1/nothing'];
    for (const path of paths) await fixture.get(path, fixture.tokens.hanoi);
    await fixture.get('/api/v1/weeks');
    await fixture.api.flushAccessLog();
    expect(await count()).toBe(before + paths.length + 1);
    const rows = await sql<{ path: string; status: number; rows: number; role: string; province_code: string }>(
      'SELECT path, status, rows, role, province_code FROM api_access_log ORDER BY at DESC LIMIT 5',
    );
    const weeks = rows.find((row) => row.path === '/api/v1/weeks' && row.role === 'province:01');
    expect(weeks).toMatchObject({ status: 200, province_code: '01' });
    expect(Number(weeks?.rows)).toBe(3);
    expect(rows.find((row) => row.role === '')?.status).toBe(401);
  });
});

describe('the SQL endpoint', () => {
  const post = (body: unknown, token = fixture.tokens.analyst) =>
    fixture.get('/api/v1/sql', token, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it.each(SQL_ESCAPES.map((attempt) => [attempt.name, attempt] as const))('refuses %s', async (_name, attempt) => {
    const response = await post({ sql: attempt.sql });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { title: string; detail: string };
    expect(problem.detail).toMatch(attempt.refusal);
    expect(problem.detail).not.toMatch(/root:x:0:0/);
  });

  it.each(ALLOWED_READS.map((text) => [text]))('runs %s', async (text) => {
    expect((await post({ sql: text })).status).toBe(200);
  });

  it('answers the same rows as the warehouse, in JSON or CSV', async () => {
    const body = (await (
      await post({
        sql: 'SELECT province_code, count() AS n FROM pressure_indicators GROUP BY province_code ORDER BY province_code',
      })
    ).json()) as { rows: unknown[] };
    const expected = await sql(
      'SELECT province_code, count() AS n FROM pressure_indicators GROUP BY province_code ORDER BY province_code',
    );
    expect(body.rows).toEqual(expected);
    const csv = Buffer.from(await (await post({ sql: 'SELECT 1 AS one', format: 'csv' })).arrayBuffer());
    expect(csv.toString('utf8')).toBe('\uFEFFone\r\n1\r\n');
  });

  it('stops a query over its time limit with a clear message, and is for analysts only', async () => {
    const slow = await post({ sql: 'SELECT count() FROM numbers(1e12)' });
    expect(slow.status).toBe(422);
    expect(((await slow.json()) as { detail: string }).detail).toMatch(/longer than its limit of 2 s/);
    expect((await post({ sql: 'SELECT 1' }, fixture.tokens.ministry)).status).toBe(403);
  });
});
