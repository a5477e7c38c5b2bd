import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';

function records(text: string) {
  const result = readCsv(text);
  if (!result.ok) throw new Error(`unexpected error on line ${result.error.line}: ${result.error.message}`);
  return result.records.map((r) => [r.line, ...r.fields]);
}

describe('readCsv', () => {
  it('splits plain records and trims unquoted fields', () => {
    expect(records('a, b ,c\n1,2,3\n')).toEqual([
      [1, 'a', 'b', 'c'],
      [2, '1', '2', '3'],
    ]);
  });

  it('handles quotes, embedded commas, doubled quotes and line breaks inside quotes', () => {
    const text = 'code,name\n1,"Đăng ký nhận cha, mẹ, con"\n2,"say ""xin chào"""\n3,"two\nlines"\n4, " padded "\n';
    expect(records(text)).toEqual([
      [1, 'code', 'name'],
      [2, '1', 'Đăng ký nhận cha, mẹ, con'],
      [3, '2', 'say "xin chào"'],
      [4, '3', 'two\nlines'],
      [6, '4', ' padded '],
    ]);
  });

  it('tolerates a BOM, CRLF and CR line ends, blank lines and rows of empty fields', () => {
    expect(records('\uFEFFa,b\r\n\r\n1,2\r,,\n\n3,4')).toEqual([
      [1, 'a', 'b'],
      [3, '1', '2'],
      [6, '3', '4'],
    ]);
  });

  it('keeps empty fields', () => {
    expect(records('a,,c\n,"",\n1')).toEqual([
      [1, 'a', '', 'c'],
      [3, '1'],
    ]);
  });

  it('reports the line of an unterminated quote', () => {
    expect(readCsv('a,b\n1,"open\n\n')).toEqual({
      ok: false,
      error: { line: 2, message: 'unterminated quoted field' },
    });
  });

  it('rejects a stray quote or text after a closing quote', () => {
    const stray = readCsv('a,b\n1,ab"c\n');
    expect(stray.ok ? undefined : stray.error.line).toBe(2);
    const after = readCsv('a,b\n1,"x"y\n');
    expect(after).toEqual({ ok: false, error: { line: 2, message: 'unexpected character "y" after a closing quote' } });
  });

  it('counts lines inside quoted fields for later errors', () => {
    const result = readCsv('a\n"x\r\ny\rz"\n"bad"q');
    expect(result.ok ? undefined : result.error.line).toBe(5);
  });
});
