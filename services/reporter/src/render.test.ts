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

describe('the routing file', () => {
  const example = readFileSync(
    join(import.meta.dirname, '..', '..', '..', 'infra', 'reports', 'routing.example.json'),
    'utf8',
  );

  it('parses the example, and each edition goes to the routes naming its province', () => {
    const routes = parseRouting(example, 'routing.example.json');
    expect(editionsFor(routes)[0]).toBeNull();
    const national = recipientsOf(routes, null);
    expect(national.emails.length + national.webhooks.length).toBeGreaterThan(0);
    for (const edition of editionsFor(routes).slice(1)) {
      const recipients = recipientsOf(routes, edition);
      expect(recipients.emails.length + recipients.webhooks.length, String(edition)).toBeGreaterThan(0);
    }
    expect(recipientsOf(routes, '99')).toEqual({ emails: [], webhooks: [] });
  });

  it('refuses unknown provinces, routes without a recipient and bad addresses, naming them', () => {
    expect(() => parseRouting('[{"provinces":["77"],"email":["a@b.vn"]}]', 'r.json')).toThrow(
      /unknown province code "77"/,
    );
    expect(() => parseRouting('[{"provinces":["01"]}]', 'r.json')).toThrow(/email list or a webhook/);
    expect(() => parseRouting('[{"provinces":["*"],"email":["not an address"]}]', 'r.json')).toThrow(/email/);
    expect(() => parseRouting('{', 'r.json')).toThrow(/not JSON/);
  });

  it('signs webhook bodies with HMAC-SHA256 of the secret', () => {
    const body = '{"week":"2026-W47"}';
    expect(signBody(body, 'secret-of-sixteen')).toBe(
      `sha256=${createHmac('sha256', 'secret-of-sixteen').update(body).digest('hex')}`,
    );
  });
});
