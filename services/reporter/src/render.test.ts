import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import { signBody } from './deliver.ts';
import { formatter } from './i18n.ts';
import type { ReportTable } from './model.ts';
import { formatCell, tableCsv } from './render.ts';
import { editionsFor, parseRouting, recipientsOf } from './routing.ts';

describe('Vietnamese and English formats', () => {
  const vi = formatter('vi');
  const en = formatter('en');

  it('write numbers, days and weeks as each language does', () => {
    expect(vi.integer(1234567)).toBe('1.234.567');
    expect(vi.decimal(1234.5, 1)).toBe('1.234,5');
    expect(vi.percent(0.9753)).toMatch(/^97,5\s?%$/);
    expect(vi.day('2026-11-16')).toBe('16/11/2026');
    expect(vi.week('2026-W47')).toBe('Tuần 47/2026');
    expect(vi.week('2027-W01')).toBe('Tuần 1/2027');
    expect(en.decimal(1234.5, 1)).toBe('1,234.5');
    expect(en.day('2026-11-16')).toBe('16 Nov 2026');
    expect(en.week('2026-W47')).toBe('Week 47, 2026');
  });

  it('show a 07:00 Vietnam time as 07:00 whatever the machine’s zone', () => {
    expect(vi.dateTime(Date.parse('2026-11-23T00:00:00Z'))).toContain('07:00');
    expect(vi.dateTime(Date.parse('2026-11-23T00:00:00Z'))).toContain('23/11/2026');
  });

  it('name levels and keep placeholders filled', () => {
    expect(vi.level('critical')).toBe('Nghiêm trọng');
    expect(en.level('elevated')).toBe('Elevated');
    expect(vi.t('staffToday', { day: vi.day('2026-11-23') })).toBe('Nhân sự ngày 23/11/2026');
    expect(formatCell(null, 'integer', vi, {})).toBe('—');
    expect(formatCell(0.5, 'value', vi, { format: 'percent' })).toMatch(/^50,0\s?%$/);
  });
});

describe('CSV of a report table', () => {
  const table: ReportTable = {
    id: 't',
    title: 'Bảng',
    columns: [
      { key: 'name', label: 'Tỉnh, thành phố', kind: 'text' },
      { key: 'level', label: 'Mức', kind: 'level' },
      { key: 'n', label: 'Số đơn vị', kind: 'integer' },
      { key: 'spark', label: 'Xu hướng', kind: 'svg' },
    ],
    rows: [
      { name: 'Thành phố Hà Nội', level: 'high', n: 1234.5, spark: '<svg/>' },
      { name: 'Tên "lạ", có dấu phẩy', level: null, n: 0.1, spark: '<svg/>' },
    ],
    total: { name: 'Tổng cộng', level: null, n: 1234.6 },
  };

  it('starts with a byte-order mark, quotes what needs it, leaves numbers unformatted and SVG out', () => {
    const csv = tableCsv(table, formatter('vi'));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const parsed = readCsv(csv);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.records.map((record) => record.fields)).toEqual([
      ['Tỉnh, thành phố', 'Mức', 'Số đơn vị'],
      ['Thành phố Hà Nội', 'Cao', '1234.5'],
      ['Tên "lạ", có dấu phẩy', '', '0.1'],
      ['Tổng cộng', '', '1234.6'],
    ]);
  });
});

describe("the routing file (the alerter's, infra/alerting/routing.example.json)", () => {
  const example = readFileSync(
    join(import.meta.dirname, '..', '..', '..', 'infra', 'alerting', 'routing.example.json'),
    'utf8',
  );
  const env = { ALERT_WEBHOOK_SECRET_HA_NOI: 'x'.repeat(32), ALERT_WEBHOOK_SECRET_BO_NOI_VU: 'y'.repeat(32) };

  it('sends each province its edition and the national one to the whole-country recipients', () => {
    const routing = parseRouting(example, 'routing.example.json', env);
    const editions = editionsFor(routing);
    expect(editions[0]).toBeNull();
    expect(editions).toContain('01');
    const hanoi = recipientsOf(routing, '01');
    expect(hanoi.emails).toContain('so-noi-vu@hanoi.gov.vn');
    expect(hanoi.webhooks.map((webhook) => webhook.secret)).toContain('x'.repeat(32));
    const national = recipientsOf(routing, null);
    expect(national.emails).not.toContain('so-noi-vu@hanoi.gov.vn');
    expect(national.emails.length + national.webhooks.length).toBeGreaterThan(0);
    expect(recipientsOf(routing, '99')).toEqual({ emails: [], webhooks: [] });
  });

  it('refuses unknown provinces, missing secrets and bad addresses, naming them', () => {
    const parse = (value: unknown) => parseRouting(JSON.stringify(value), 'r.json', {});
    expect(() => parse({ emails: [{ address: 'a@b.vn', provinces: ['77'] }] })).toThrow(/77 is not a province code/);
    expect(() => parse({ webhooks: [{ id: 'h', url: 'https://h.example.org', secret_env: 'NOPE' }] })).toThrow(/NOPE/);
    // A webhook without a secret would be sent unsigned: refused, as the alerter refuses it.
    expect(() => parse({ webhooks: [{ id: 'h', url: 'https://h.example.org' }] })).toThrow(
      /webhook h: give exactly one of secret_env \(preferred\) or secret; every webhook is signed/,
    );
    expect(() => parse({ emails: [{ address: 'not an address' }] })).toThrow(/address/);
    expect(() => parseRouting('{', 'r.json', {})).toThrow(/not JSON/);
  });

  it('signs webhook bodies with HMAC-SHA256 of the secret', () => {
    const body = '{"week":"2026-W47"}';
    expect(signBody(body, 'secret-of-sixteen')).toBe(
      `sha256=${createHmac('sha256', 'secret-of-sixteen').update(body).digest('hex')}`,
    );
  });
});
