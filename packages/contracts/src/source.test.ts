import { describe, expect, it } from 'vitest';
import { dlqSourceHeaders } from './reject.ts';
import { elementOf, sourceOf } from './source.ts';

describe('sourceOf', () => {
  const file = { kind: 'file', sha256: 'ab'.repeat(32), label: 'export.ndjson' } as const;
  const kafka = { kind: 'kafka', clusterId: 'c1', topic: 'portal-dossiers.v1', topicId: 'uuid-1' } as const;
  const blocks = { format: 'portal-sync', positionsPerElement: 64 };

  it('gives the same bytes read in blocks of another format another source, whatever their kind', () => {
    expect(sourceOf(file, blocks).key).not.toBe(sourceOf(file).key);
    expect(sourceOf(kafka, blocks).key).not.toBe(sourceOf(kafka).key);
    expect(sourceOf(file, { ...blocks, positionsPerElement: 32 }).key).not.toBe(sourceOf(file, blocks).key);
    expect(sourceOf(kafka, blocks).name).toBe('portal-sync/64:kafka:c1:uuid-1');
  });

  it('names a journal segment by its id, not its label', () => {
    const segment = sourceOf({ kind: 'journal', segmentId: 'seg-1', label: '/a/segment.ndjson' });
    expect(segment.name).toBe('journal:seg-1');
    expect(sourceOf({ kind: 'journal', segmentId: 'seg-1', label: '/b/moved.ndjson' }).key).toBe(segment.key);
  });

  it('finds the element of a position: the position itself without blocks', () => {
    expect(elementOf(sourceOf(file), 130)).toBe(130);
    expect(elementOf(sourceOf(file, blocks), 2 * 64 + 63)).toBe(2);
    expect(elementOf(sourceOf(file, blocks), 2 * 64)).toBe(2);
  });
});

describe('dlqSourceHeaders', () => {
  it('names a Kafka position by topic, partition and offset, and a file position by file and line', () => {
    expect(dlqSourceHeaders({ kind: 'kafka', topic: 'dossier-events.v1', partition: 2, offset: '41' })).toEqual({
      dlq_source_topic: 'dossier-events.v1',
      dlq_source_partition: '2',
      dlq_source_offset: '41',
    });
    expect(dlqSourceHeaders({ kind: 'file', file: 'events.ndjson', line: 7 })).toEqual({
      dlq_source_file: 'events.ndjson',
      dlq_source_line: '7',
    });
  });
});
