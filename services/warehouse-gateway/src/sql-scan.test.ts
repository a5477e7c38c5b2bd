import { describe, expect, it } from 'vitest';
import { analyseSql, type KnownFormats, quoteIdentifier, quoteString } from './sql-scan.ts';

const formats: KnownFormats = {
  input: new Set(['jsoneachrow', 'csv', 'rowbinary', 'tabseparated']),
  output: new Set(['jsoneachrow', 'json', 'csv', 'tabseparated']),
};

describe('analyseSql', () => {
  it('finds where the rows of an INSERT … FORMAT begin', () => {
    const text = 'INSERT INTO t (a, b) FORMAT JSONEachRow\n{"a":1}\n';
    const shape = analyseSql(text, formats);
    expect(shape.keyword).toBe('INSERT');
    expect(shape.insertData).toEqual({
      prefixEnd: text.indexOf('\n'),
      dataStart: text.indexOf('{'),
      format: 'JSONEachRow',
    });
  });

  it('starts rows after spaces and one CR LF, as ClickHouse does', () => {
    const text = 'INSERT INTO t FORMAT CSV  \r\n\n1,2';
    expect(analyseSql(text, formats).insertData?.dataStart).toBe(text.indexOf('\r\n') + 2);
    const sameLine = 'INSERT INTO t FORMAT CSV 1,2';
    expect(analyseSql(sameLine, formats).insertData?.dataStart).toBe(sameLine.indexOf('1'));
  });

  it('does not lex the rows: a quote or semicolon in them changes nothing', () => {
    const shape = analyseSql("INSERT INTO t FORMAT CSV\n'unclosed;\nSELECT 1", formats);
    expect(shape.insertData?.format).toBe('CSV');
    expect(shape.multiStatement).toBe(false);
  });

  it('tells a table or column called format from the clause', () => {
    const text = 'INSERT INTO format FORMAT CSV\n1';
    expect(analyseSql(text, formats).insertData?.prefixEnd).toBe(text.indexOf('\n'));
    expect(analyseSql('INSERT INTO t SELECT format FROM src', formats).insertData).toBeUndefined();
    expect(analyseSql('SELECT format FROM t', formats).outputFormat).toBeUndefined();
  });

  it('ignores FORMAT inside strings, comments and brackets', () => {
    expect(analyseSql("SELECT 'FORMAT CSV' -- FORMAT JSON\n", formats).outputFormat).toBeUndefined();
    expect(analyseSql('SELECT * FROM (SELECT 1 FORMAT CSV) /* FORMAT JSON */', formats).outputFormat).toBeUndefined();
    expect(
      analyseSql("INSERT INTO t SETTINGS x = 'FORMAT CSV' FORMAT JSONEachRow\n{}", formats).insertData?.format,
    ).toBe('JSONEachRow');
  });

  it('reports the output format of a trailing FORMAT clause, settings after it or not', () => {
    expect(analyseSql('SELECT 1 \nFORMAT JSONEachRow', formats).outputFormat).toBe('JSONEachRow');
    expect(analyseSql('SELECT 1 FORMAT json SETTINGS max_threads = 1', formats).outputFormat).toBe('json');
  });

  it('leaves INSERT … VALUES to the engine', () => {
    const shape = analyseSql("INSERT INTO t VALUES (1, 'FORMAT CSV'); SELECT 2", formats);
    expect(shape.insertData).toBeUndefined();
    expect(shape.keyword).toBe('INSERT');
  });

  it('detects a second statement but allows trailing semicolons and comments', () => {
    expect(analyseSql('SELECT 1; SELECT 2', formats).multiStatement).toBe(true);
    expect(analyseSql('SELECT 1;; -- done\n', formats).multiStatement).toBe(false);
    expect(analyseSql("SELECT ';' AS `a;b`, $$x;y$$", formats).multiStatement).toBe(false);
  });

  it('skips leading comments, nested block comments included, to the first keyword', () => {
    expect(analyseSql('/* a /* nested */ still */ -- x\n  with 1 AS a SELECT a', formats).keyword).toBe('WITH');
    expect(analyseSql('  \n -- only a comment', formats).keyword).toBeUndefined();
  });

  it('handles escaped and doubled quotes', () => {
    expect(analyseSql("SELECT 'it\\'s', 'it''s; ok' FORMAT CSV", formats).outputFormat).toBe('CSV');
  });
});

describe('quoting', () => {
  it('escapes backslashes and the quote character', () => {
    expect(quoteIdentifier('we`ird\\db')).toBe('`we\\`ird\\\\db`');
    expect(quoteString("it's \\ here")).toBe("'it\\'s \\\\ here'");
  });
});
