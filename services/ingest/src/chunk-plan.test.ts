import { eventFingerprint } from '@commune-pulse/contracts';
import { describe, expect, it } from 'vitest';
import { type ClaimRef, classifyDeliveries, type SourceMessage, validateMessages } from './chunk-plan.ts';

const context = { nowMs: Date.parse('2026-11-26T00:00:00Z'), provinceOfCommune: () => '01' };
const here = { sourceKey: 7, partition: 1 };

function message(position: number, fields: Record<string, unknown> = {}): SourceMessage {
  return {
    position,
    value: JSON.stringify({
      schema: 'dossier-event/1',
      event_id: 'ev-00000001',
      event_type: 'processing',
      occurred_at: '2026-11-23T08:15:02+07:00',
      dossier_id: 'D-1',
      commune_code: '00004',
      procedure_code: '1.001193',
      channel: 'counter',
      ...fields,
    }),
  };
}

function kinds(messages: SourceMessage[], claims: Map<string, ClaimRef> = new Map()) {
  return classifyDeliveries(validateMessages(messages, context), claims, here).map(({ verdict }) =>
    verdict.kind === 'rejected' ? verdict.reject.reason : verdict.kind,
  );
}

function claimOf(fields: Record<string, unknown>, position: number, sourceKey = here.sourceKey): ClaimRef {
  const [validated] = validateMessages([message(position, fields)], context);
  if (!validated?.ok) throw new Error('not valid');
  return { fingerprint: eventFingerprint(validated.event), sourceKey, partition: here.partition, position };
}

describe('classifyDeliveries', () => {
  it('tells new, repeated and conflicting copies apart within a chunk', () => {
    expect(kinds([message(1), message(2), message(3, { dossier_id: 'D-2' })])).toEqual([
      'new',
      'duplicate',
      'conflicting_duplicate',
    ]);
  });

  it('compares with the stored claim first: a conflicting copy before the same content in a chunk', () => {
    const claims = new Map([['ev-00000001', claimOf({}, 99, 3)]]);
    expect(kinds([message(1, { dossier_id: 'D-2' }), message(2)], claims)).toEqual([
      'conflicting_duplicate',
      'duplicate',
    ]);
  });

  it('knows a write it resumes: claimed by this very position', () => {
    const claims = new Map([['ev-00000001', claimOf({}, 5)]]);
    expect(kinds([message(5)], claims)).toEqual(['resumed']);
    expect(kinds([message(6)], claims)).toEqual(['duplicate']);
  });

  it('takes a claim of unknown content (carried over from the earlier schema) as the same event', () => {
    const claims = new Map([['ev-00000001', { fingerprint: 0, sourceKey: 1, partition: 0, position: 1 }]]);
    expect(kinds([message(1, { dossier_id: 'D-9' })], claims)).toEqual(['duplicate']);
  });

  it('turns whatever throws while validating one message into a reject of that message', () => {
    const hostile = {
      position: 1,
      get value(): string {
        throw new RangeError('boom');
      },
    } as unknown as SourceMessage;
    expect(kinds([hostile, message(2)])).toEqual(['unprocessable', 'new']);
  });
});
