import { describe, expect, it } from 'vitest';
import { routeStatement } from './route.ts';
import type { KnownFormats } from './sql-scan.ts';

const formats: KnownFormats = {
  input: new Set(['jsoneachrow', 'rowbinary', 'csv']),
  output: new Set(['jsoneachrow', 'csv', 'json']),
};

describe('routeStatement', () => {
  it('takes the body as the rows of an insert named in the query parameter (client.insert)', () => {
    const body = Buffer.from('{"a":1}\n{"a":2}\n');
    const routed = routeStatement('INSERT INTO t (a) FORMAT JSONEachRow', body, formats);
    expect(routed.sql).toBe('INSERT INTO t (a) FORMAT JSONEachRow');
    expect(routed.rows).toBe(body);
  });

  it('splits an insert sent whole in the body (client.command) without decoding the rows', () => {
    const rows = Buffer.from([0x01, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x0a]);
    const body = Buffer.concat([Buffer.from('INSERT INTO t FORMAT RowBinary\n'), rows]);
    const routed = routeStatement(undefined, body, formats);
    expect(routed.sql).toBe('INSERT INTO t FORMAT RowBinary');
    expect(routed.rows?.equals(rows)).toBe(true);
  });

  it('keeps non-ASCII text intact on both sides of the split', () => {
    const body = Buffer.from('INSERT INTO `bảng` FORMAT JSONEachRow\n{"s":"Hà Nội"}\n');
    const routed = routeStatement(undefined, body, formats);
    expect(routed.sql).toBe('INSERT INTO `bảng` FORMAT JSONEachRow');
    expect(routed.rows?.toString('utf8')).toBe('{"s":"Hà Nội"}\n');
  });

  it('joins the query parameter and the body with a newline', () => {
    expect(routeStatement('SELECT', Buffer.from('1 FORMAT CSV'), formats)).toMatchObject({
      sql: 'SELECT\n1 FORMAT CSV',
      rows: undefined,
      outputFormat: 'CSV',
    });
    const routed = routeStatement('INSERT INTO t', Buffer.from('FORMAT CSV\n1\n'), formats);
    expect(routed.sql).toBe('INSERT INTO t\nFORMAT CSV');
    expect(routed.rows?.toString()).toBe('1\n');
  });

  it('keeps rows that begin inside the query parameter', () => {
    const routed = routeStatement('INSERT INTO t FORMAT CSV\n1', Buffer.from('2\n'), formats);
    expect(routed.rows?.toString()).toBe('1\n2\n');
  });

  it('gives an insert with no rows empty rows', () => {
    expect(routeStatement('INSERT INTO t FORMAT CSV', Buffer.alloc(0), formats).rows?.length).toBe(0);
  });

  it('runs statements without inline rows as text', () => {
    expect(routeStatement(undefined, Buffer.from("INSERT INTO t VALUES (1, 'a')"), formats)).toMatchObject({
      rows: undefined,
      keyword: 'INSERT',
    });
    expect(routeStatement(undefined, Buffer.from('SELECT 1 \nFORMAT JSON'), formats).outputFormat).toBe('JSON');
  });

  it('refuses an empty query and several statements, as a ClickHouse server does', () => {
    expect(() => routeStatement(undefined, Buffer.alloc(0), formats)).toThrow(/Empty query/);
    expect(() => routeStatement(' -- nothing', Buffer.alloc(0), formats)).toThrow(/Empty query/);
    expect(() => routeStatement('SELECT 1; DROP TABLE t', Buffer.alloc(0), formats)).toThrow(
      /Multi-statements are not allowed/,
    );
  });
});
