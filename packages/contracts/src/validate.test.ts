import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dossierEventV1 } from './dossier-event.ts';
import { jsonSchemaFiles } from './json-schemas.ts';
import { REJECT_REASONS, type RejectReason } from './reject.ts';
import { validateDossierEvent, wireFastPath } from './validate.ts';

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
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
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
    ['not_utf8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
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
  // decided by the pipeline, not by looking at one message: tested in services/ingest and test/ingest
  const pipelineReasons: RejectReason[] = ['conflicting_duplicate', 'unprocessable', 'store_refused'];

  it('has a case for every reason', () => {
    expect(new Set([...cases.map(([reason]) => reason), ...pipelineReasons])).toEqual(new Set(REJECT_REASONS));
  });

  for (const [reason, body] of cases) {
    it(`rejects with ${reason}`, () => {
      expect(reasonOf(body)).toBe(reason);
    });
  }

  it('gives details a person can act on: the field, the rule, the type and length of what came, never the value', () => {
    const result = validateDossierEvent(JSON.stringify({ ...valid, channel: 'Nguyễn Văn A' }), context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reject.detail).toContain('channel');
    expect(result.reject.detail).toContain('a string of 12 character(s)');
    expect(result.reject.detail).not.toContain('Nguyễn');
  });

  it('never puts a value of the message in a detail, whatever field it sits in', () => {
    const fields = [
      'schema',
      'event_id',
      'event_type',
      'occurred_at',
      'dossier_id',
      'commune_code',
      'procedure_code',
      'channel',
      'due_at',
      'officer_ref',
      'source_system',
      'status_code',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.oneof(
          fc.string({ minLength: 6 }),
          fc.array(fc.string({ minLength: 6 }), { minLength: 1 }),
          fc.dictionary(fc.string(), fc.string({ minLength: 6 })),
        ),
        (field, secret) => {
          const body = JSON.stringify({ ...valid, [field]: secret });
          const result = validateDossierEvent(body, context);
          if (result.ok) return;
          for (const text of [secret, ...Object.values(typeof secret === 'object' ? secret : {})].flat()) {
            if (typeof text === 'string' && text.trim().length >= 6 && !JSON.stringify(valid).includes(text)) {
              expect(result.reject.detail).not.toContain(text);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
    // a JSON parse error says where, not what
    const broken = validateDossierEvent('{"schema":"dossier-event/1","ChuHoSo":"Trần Thị Bích" oops}', context);
    expect(broken.ok || broken.reject.detail).toBe('the body is not valid JSON (error at character 54)');
  });

  it('rejects years before 2000 and due dates the warehouse cannot store', () => {
    expect(reasonOf({ ...valid, occurred_at: '0001-01-01T00:00:00Z', due_at: '0001-01-02T00:00:00Z' })).toBe(
      'invalid_timestamp',
    );
    expect(reasonOf({ ...valid, occurred_at: '1800-06-01T08:00:00+07:00', due_at: '1800-06-02T08:00:00+07:00' })).toBe(
      'invalid_timestamp',
    );
    expect(reasonOf({ ...valid, due_at: '2400-01-01T00:00:00Z' })).toBe('invalid_timestamp');
    expect(reasonOf({ ...valid, occurred_at: '2000-01-01T00:00:00Z', due_at: '2000-01-02T00:00:00Z' })).toBe('ok');
  });

  it('rejects an unpaired surrogate (an emoji cut in half) instead of passing it to the warehouse', () => {
    expect(
      reasonOf(
        `{"schema":"dossier-event/1","event_id":"hn-igate-000001","event_type":"processing","occurred_at":"2026-11-23T08:15:02+07:00","dossier_id":"HS-\\ud83d","commune_code":"00004","procedure_code":"1.001193","channel":"counter"}`.replace(
          '\\\\',
          '\\',
        ),
      ),
    ).toBe('invalid_dossier_id');
    expect(reasonOf({ ...valid, source_system: 'igate-\ud83d' })).toBe('invalid_optional_field');
  });

  it('does not throw on a value nested thousands of levels deep', () => {
    const deep = `{"schema":"dossier-event/1","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(reasonOf(deep)).toBe('missing_field');
    const deepField = JSON.stringify({ ...valid, event_id: 'x' }).replace(
      '"x"',
      `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
    );
    expect(reasonOf(deepField)).toBe('invalid_event_id');
  });

  it('accepts an event less than 5 minutes ahead of the clock', () => {
    const soon = new Date(context.nowMs + 4 * 60_000).toISOString();
    expect(reasonOf({ ...valid, occurred_at: soon, due_at: soon })).toBe('ok');
  });
});

describe('the fast path', () => {
  it('accepts only what zod accepts, and gives what zod gives', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom(
        '2026-11-23T08:15:02+07:00',
        '2026-02-29T08:00:00Z',
        '2026-11-23T24:00:00Z',
        '2026-11-23T08:15:02.123456789-01:30',
        '00004',
        '1.001193',
        'x'.repeat(64),
        'x'.repeat(65),
        '',
        'counter',
        'fax',
        'resolved',
      ),
    );
    const anyValue = fc.oneof(
      text,
      fc.integer({ min: -2, max: 12 }),
      fc.double(),
      fc.constant(null),
      fc.constant(undefined),
      fc.boolean(),
    );
    const fields = Object.keys(dossierEventV1.shape);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...fields, 'ChuHoSo'), anyValue), { maxLength: 4 }), (changes) => {
        const input: Record<string, unknown> = { ...valid, status_code: 2, officer_ref: 'o-1' };
        for (const [field, value] of changes) input[field] = value;
        const fast = wireFastPath(input);
        const slow = dossierEventV1.safeParse(input);
        if (fast !== null) {
          expect(slow.success).toBe(true);
          expect(fast).toEqual(slow.data);
        }
      }),
      { numRuns: 5000 },
    );
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
