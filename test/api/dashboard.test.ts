import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, launchChromium } from '@commune-pulse/reporter';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, HANOI, HCMC, LAST_WEEK, startApiFixture } from './fixture.ts';

/**
 * The dashboard in Debian's headless Chromium: every page renders without a console error and without a request
 * beyond the API, its numbers are the API's, the links lead national → province → commune, and a province's
 * token cannot reach another province. (The README's screenshots come from `UPDATE_DOCS_PNG=1 pnpm bench --only api`,
 * over a national year.)
 */
let root: string;
let fixture: ApiFixture;
let browser: Browser;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-dashboard-'));
  fixture = await startApiFixture(root);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  errors: string[];
  outside: string[];
  /** the API requests the page sent, in order */
  asked: string[];
  close(): Promise<void>;
}

async function openDashboard(token: string, lang: 'vi' | 'en' = 'vi'): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const outside: string[] = [];
  const asked: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(fixture.api.url)) outside.push(request.url());
    else if (request.url().startsWith(`${fixture.api.url}/api/`))
      asked.push(request.url().slice(fixture.api.url.length));
  });
  await page.addInitScript(
    ([value, language]) => {
      sessionStorage.setItem('cp-token', value as string);
      localStorage.setItem('cp-lang', language as string);
    },
    [token, lang],
  );
  return { page, errors, outside, asked, close: () => context.close() };
}

const ready = (page: Page) => page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
const field = (page: Page, name: string) => page.locator(`.card [data-field="${name}"]`).first().innerText();
const viNumber = (value: number, digits: number) =>
  new Intl.NumberFormat('vi-VN', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

describe('the dashboard in headless Chromium', () => {
  it('national → province → commune, with the API numbers, in Vietnamese, nothing from outside', async () => {
    const { page, errors, outside, asked, close } = await openDashboard(fixture.tokens.ministry);
    try {
      await page.goto(`${fixture.api.url}/`);
      await ready(page);
      // The first page, its week picker included, in one request.
      expect(asked).toEqual(['/api/v1/overview?top=10']);
      const national = (await (
        await fixture.get(`/api/v1/national?week=${LAST_WEEK}&top=10`, fixture.tokens.ministry)
      ).json()) as {
        communes: number;
        required_fte: number;
        actual_fte: number;
        pressure_index: number;
        most_pressured: { commune_code: string }[];
      };
      expect(await page.locator('[data-testid="title"]').innerText()).toBe(`Toàn quốc · ${LAST_WEEK}`);
      expect(await field(page, 'communes')).toBe(viNumber(national.communes, 0));
      expect(await field(page, 'required_fte')).toBe(viNumber(national.required_fte, 1));
      expect(await field(page, 'actual_fte')).toBe(viNumber(national.actual_fte, 1));
      expect(await field(page, 'pressure_index')).toBe(viNumber(national.pressure_index, 2));
      const shown = await page
        .locator('[data-testid="most-pressured"] tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-commune')));
      expect(shown).toEqual(national.most_pressured.map((row) => row.commune_code));
      expect(await page.locator('[data-testid="chart-levels"] svg').count()).toBe(1);
      expect(await page.locator('html').getAttribute('lang')).toBe('vi');

      await page.locator(`[data-testid="provinces"] tr[data-province="${HANOI.province}"] a`).click();
      await page.waitForURL(/#\/province\/01$/);
      await ready(page);
      expect(await page.locator('[data-testid="title"]').innerText()).toMatch(/^Thành phố Hà Nội · /);
      const communes = await page.locator('[data-testid="province-communes"] tbody tr').count();
      expect(communes).toBe(HANOI.communes.length);
      expect(await page.locator('[data-testid="chart-histogram"] svg').count()).toBe(1);
      expect(await page.locator('[data-testid="chart-trend"] svg').count()).toBe(1);

      await page
        .locator('[data-testid="province-communes"] tr[data-commune="00008"] a[data-testid="commune-link"]')
        .click();
      await page.waitForURL(/#\/commune\/00008$/);
      await ready(page);
      const history = (await (
        await fixture.get(`/api/v1/communes/00008/history?week=${LAST_WEEK}`, fixture.tokens.ministry)
      ).json()) as { weeks: { pressure_index: number; received: number }[] };
      const last = history.weeks.at(-1);
      expect(await field(page, 'pressure_index')).toBe(viNumber(last?.pressure_index as number, 2));
      expect(await field(page, 'received')).toBe(viNumber(last?.received as number, 0));
      expect(await page.locator('[data-testid="explain"] tbody tr').count()).toBeGreaterThan(3);
      expect(await page.locator('[data-testid="alerts"] tbody tr').count()).toBe(1);
      expect(await page.locator('[data-testid="chart-volume"] svg').count()).toBe(1);

      await page.locator('[data-testid="province-crumb"]').click();
      await page.waitForURL(/#\/province\/01$/);
      await ready(page);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await close();
    }
  });

  it('switches to English and picks another week', async () => {
    const { page, errors, close } = await openDashboard(fixture.tokens.ministry);
    try {
      await page.goto(`${fixture.api.url}/`);
      await ready(page);
      await page.locator('[data-testid="lang"]').click();
      await ready(page);
      expect(await page.locator('[data-testid="title"]').innerText()).toBe(`Nationwide · ${LAST_WEEK}`);
      await page.locator('[data-testid="week-picker"]').selectOption('2026-W46');
      await ready(page);
      expect(await page.locator('[data-testid="title"]').innerText()).toBe('Nationwide · 2026-W46');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("keeps a province's token to its province", async () => {
    const { page, errors, close } = await openDashboard(fixture.tokens.hanoi);
    try {
      await page.goto(`${fixture.api.url}/`);
      await ready(page);
      const provinces = await page
        .locator('[data-testid="provinces"] tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-province')));
      expect(provinces).toEqual([HANOI.province]);
      await page.goto(`${fixture.api.url}/#/province/${HCMC.province}`);
      await ready(page);
      expect(await page.locator('[data-testid="no-data"]').count()).toBe(1);
      await page.goto(`${fixture.api.url}/#/commune/${HCMC.communes[0]}`);
      await ready(page);
      expect(await page.locator('[data-testid="no-data"]').count()).toBe(1);
      expect(await page.content()).not.toContain('Thủ Dầu Một');
      expect(errors.filter((text) => !/404/.test(text))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks for a token, and refuses a revoked one', async () => {
    const { page, close } = await openDashboard(fixture.tokens.revoked);
    try {
      await page.goto(`${fixture.api.url}/`);
      await ready(page);
      expect(await page.locator('#login').isVisible()).toBe(true);
      expect(await page.locator('#login-error').innerText()).toMatch(/không hợp lệ|thu hồi/);
      await page.locator('[data-testid="token-input"]').fill(fixture.tokens.hanoi);
      await page.locator('[data-testid="login"]').click();
      await page.waitForSelector('[data-testid="title"]');
      expect(await page.locator('[data-testid="title"]').innerText()).toMatch(/Toàn quốc/);
    } finally {
      await close();
    }
  });
});
