import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from './json-schemas.ts';
import { EVENT_REJECT_REASONS, type RejectReason } from './reject.ts';
import { validateDossierEvent } from './validate.ts';

const context = {
  nowMs: Date.parse('2026-11-26T00:00:00Z'),
  provinceOfCommune: (code: string) => (code === '99999' ? undefined : code.slice(0, 2)),
};

const valid = {
  schema: 'dossier-event/1',
  event_id: 'hn-igate-000001',
  event_type: 'received',
  occurred_at: '2026-11-23T08:15:02+07:00',
  dossier_id: '000.00.04.H01-261123-0001',
  commune_code: '00004',
  procedure_code: '1.001193',
  channel: 'counter',
  due_at: '2026-11-23T17:00:00+07:00',
  source_system: 'igate-hn',
};

function reasonOf(body: unknown): RejectReason | 'ok' {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const result = validateDossierEvent(text, context);
  return result.ok ? 'ok' : result.reject.reason;
}

describe('validateDossierEvent', () => {
  it('accepts the spec example and parses its times', () => {
    const result = validateDossierEvent(JSON.stringify(valid), context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.occurredAtMs).toBe(Date.parse('2026-11-23T01:15:02Z'));
    expect(result.event.dueAtMs).toBe(Date.parse('2026-11-23T10:00:00Z'));
    expect(result.event.provinceCode).toBe('00');
  });

  it('drops unknown and personal fields', () => {
    const result = validateDossierEvent(
      JSON.stringify({ ...valid, ChuHoSo: 'Nguyễn Văn A', SoDienThoai: '0912345678', extra: { a: 1 } }),
      context,
    );
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('Nguyễn');
    expect(JSON.stringify(result)).not.toContain('0912345678');
  });

  const cases: [RejectReason, unknown][] = [
    ['too_large', { ...valid, padding: 'x'.repeat(70_000) }],
    ['not_json', '{"schema":"dossier-event/1","event_id":"trunc'],
    ['not_object', '[1,2,3]'],
    ['missing_field', { ...valid, event_id: undefined }],
    ['unsupported_schema', { ...valid, schema: 'dossier-event/2' }],
    ['invalid_event_id', { ...valid, event_id: 'has spaces in it' }],
    ['unknown_event_type', { ...valid, event_type: 'approved' }],
    ['invalid_timestamp', { ...valid, occurred_at: '2026-11-12T09:00:00' }],
    ['future_timestamp', { ...valid, occurred_at: '2031-01-05T09:00:00+07:00', due_at: '2031-01-05T17:00:00+07:00' }],
    ['invalid_dossier_id', { ...valid, dossier_id: '' }],
    ['invalid_commune_code', { ...valid, commune_code: 4 }],
    ['unknown_commune', { ...valid, commune_code: '99999' }],
    ['invalid_procedure_code', { ...valid, procedure_code: 'TTHC-1' }],
    ['invalid_channel', { ...valid, channel: 'fax' }],
    ['missing_due_at', { ...valid, due_at: undefined }],
    ['due_before_occurred', { ...valid, due_at: '2026-11-22T17:00:00+07:00' }],
    ['invalid_optional_field', { ...valid, status_code: 42 }],
  ];

  it('has a case for every reason', () => {
    expect(new Set(cases.map(([reason]) => reason))).toEqual(new Set(EVENT_REJECT_REASONS));
  });

  for (const [reason, body] of cases) {
    it(`rejects with ${reason}`, () => {
      expect(reasonOf(body)).toBe(reason);
    });
  }

  it('gives details a person can act on', () => {
    const result = validateDossierEvent(JSON.stringify({ ...valid, channel: 'fax' }), context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reject.detail).toContain('channel');
    expect(result.reject.detail).toContain('fax');
  });

  it('rejects bytes that are not UTF-8 as not_json', () => {
    expect(validateDossierEvent(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), context).ok).toBe(false);
  });

  it('accepts an event less than 5 minutes ahead of the clock', () => {
    const soon = new Date(context.nowMs + 4 * 60_000).toISOString();
    expect(reasonOf({ ...valid, occurred_at: soon, due_at: soon })).toBe('ok');
  });
});

describe('committed JSON Schema files', () => {
  it('are current (run pnpm schemas:generate after changing a schema)', () => {
    for (const [file, text] of Object.entries(jsonSchemaFiles())) {
      const committed = readFileSync(join(import.meta.dirname, '..', 'schemas', file), 'utf8');
      expect(committed, file).toBe(text);
    }
  });
});
