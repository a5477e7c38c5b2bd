import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENDPOINTS } from '@commune-pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, HCMC, HCMC_ONLY_WEEK, LAST_WEEK, startApiFixture } from './fixture.ts';

/**
 * Every endpoint, asked by Hà Nội's token for Thành phố Hồ Chí Minh's data (and by HCMC's own token, which must
 * get it: otherwise the case proves nothing). An endpoint added to the API without a case here fails the first
 * test; one whose queries forget the scope fails its own case.
 */
interface ScopeCase {
  /** the request, for HCMC's data */
  request: { path: string; init?: RequestInit };
  /** what Hà Nội's token must get */
  expect: 'not-found' | 'empty' | 'forbidden';
  /** HCMC's data in the answer, as its own token gets it */
  found(body: unknown): boolean;
}

const json = (value: unknown) => ({
  method: 'POST',
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});
const items = (body: unknown) => ((body as { items?: unknown[] }).items ?? []) as Record<string, unknown>[];
const HCMC_COMMUNE = HCMC.communes[1] as string;

const CASES: Record<string, ScopeCase> = {
  weeks: {
    request: { path: '/api/v1/weeks' },
    expect: 'empty',
    found: (body) => items(body).some((row) => row.week_start === HCMC_ONLY_WEEK),
  },
  national: {
    request: { path: `/api/v1/national?week=${LAST_WEEK}` },
    // Hà Nội's token gets the picture of Hà Nội: no commune of HCMC in it.
    expect: 'empty',
    found: (body) =>
      ((body as { most_pressured?: Record<string, unknown>[] }).most_pressured ?? []).some(
        (row) => row.province_code === HCMC.province,
      ),
  },
  overview: {
    request: { path: `/api/v1/overview?week=${LAST_WEEK}` },
    // Hà Nội's token gets Hà Nội's picture, provinces and weeks: HCMC in any of the three is a leak.
    expect: 'empty',
    found: (body) => {
      const { national, provinces, weeks } = body as Record<string, { items?: unknown[]; most_pressured?: unknown[] }>;
      return (
        ((national?.most_pressured ?? []) as Record<string, unknown>[]).some(
          (row) => row.province_code === HCMC.province,
        ) ||
        items(provinces).some((row) => row.province_code === HCMC.province) ||
        items(weeks).some((row) => row.week_start === HCMC_ONLY_WEEK)
      );
    },
  },
  provinces: {
    request: { path: `/api/v1/provinces?week=${LAST_WEEK}` },
    expect: 'empty',
    found: (body) => items(body).some((row) => row.province_code === HCMC.province),
  },
  communes: {
    request: { path: `/api/v1/communes?week=${LAST_WEEK}&province=${HCMC.province}` },
    expect: 'empty',
    found: (body) => items(body).some((row) => row.province_code === HCMC.province),
  },
  'commune-history': {
    request: { path: `/api/v1/communes/${HCMC_COMMUNE}/history?week=${LAST_WEEK}` },
    expect: 'not-found',
    found: (body) => (body as { commune_code?: string }).commune_code === HCMC_COMMUNE,
  },
  'commune-explain': {
    request: { path: `/api/v1/communes/${HCMC_COMMUNE}/explain?week=${LAST_WEEK}` },
    expect: 'not-found',
    found: (body) => (body as { commune_code?: string }).commune_code === HCMC_COMMUNE,
  },
  alerts: {
    request: { path: `/api/v1/alerts?state=all&province=${HCMC.province}` },
    expect: 'empty',
    found: (body) => items(body).some((row) => row.province_code === HCMC.province),
  },
  'data-quality': {
    request: { path: '/api/v1/data-quality' },
    expect: 'forbidden',
    found: () => true,
  },
  reports: {
    request: { path: `/api/v1/reports?week=${LAST_WEEK}` },
    expect: 'empty',
    found: (body) => items(body).some((row) => row.province_code === HCMC.province),
  },
  'report-file': {
    request: { path: `/api/v1/reports/r-79/files/weekly-pressure-${LAST_WEEK}-79-vi.pdf` },
    expect: 'not-found',
    found: (body) => typeof body === 'string' && body.startsWith('%PDF'),
  },
  sql: {
    request: { path: '/api/v1/sql', init: json({ sql: 'SELECT count() AS n FROM pressure_indicators' }) },
    expect: 'forbidden',
    found: () => true,
  },
};

describe('every endpoint keeps a province token to its province', () => {
  let root: string;
  let fixture: ApiFixture;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cp-api-scope-'));
    fixture = await startApiFixture(root);
  });
  afterAll(async () => {
    await fixture?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('has a case for every endpoint of the API', () => {
    const missing = ENDPOINTS.map((endpoint) => endpoint.id).filter((id) => !(id in CASES));
    expect(missing, 'endpoints without a scope case: add one to CASES').toEqual([]);
  });

  const read = async (response: Response) => {
    const type = response.headers.get('content-type') ?? '';
    return type.includes('json') ? response.json() : response.text();
  };

  it.each(ENDPOINTS.map((endpoint) => [endpoint.id]))('%s', async (id) => {
    const scopeCase = CASES[id];
    if (scopeCase === undefined) throw new Error(`no scope case for ${id}`);
    const { path, init } = scopeCase.request;
    if (scopeCase.expect !== 'forbidden') {
      // The province's own token gets the data: the case is not empty by construction.
      const own = await fixture.get(path, fixture.tokens.hcmc, init);
      expect(own.status, path).toBe(200);
      expect(scopeCase.found(await read(own)), `HCMC's token must see HCMC's data at ${path}`).toBe(true);
    }
    const other = await fixture.get(path, fixture.tokens.hanoi, init);
    const body = await read(other);
    if (scopeCase.expect === 'not-found') {
      expect(other.status, JSON.stringify(body)).toBe(404);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
    } else if (scopeCase.expect === 'forbidden') {
      expect(other.status).toBe(403);
      expect((body as { detail: string }).detail).toMatch(/province|analyst/);
    } else {
      expect([200, 404]).toContain(other.status);
      if (other.status === 200) expect(scopeCase.found(body), JSON.stringify(body).slice(0, 500)).toBe(false);
    }
  });
});
