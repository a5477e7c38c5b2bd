/**
 * The claim lookup as the claims grow. Every chunk looks its event ids up in `event_id_claims` (one point lookup
 * per id, by the primary key), and the claims are kept for good, so the lookup's cost per id at a national
 * year's size is what bounds the write path there. Filled in SQL with random ids to each size; at each size a
 * chunk's worth of ids (half of them claimed, half new) is looked up through the write path's own query
 * (`createLedger(…).claimsFor`), beside two other layouts of the same table: a finer index with a bloom filter,
 * and a key-value table (EmbeddedRocksDB).
 */
import { rmSync } from 'node:fs';
import { createLedger } from '@commune-pulse/ingest';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';

export interface ClaimsGrowthOptions {
  dir: string;
  sizes: number[];
  /** ids per lookup: a chunk */
  lookup: number;
  runs?: number;
  log: (line: string) => void;
}

const COLUMNS = 'event_id String, fingerprint UInt64, source_key UInt64, partition UInt32, position UInt64';
const LAYOUTS = [
  { name: 'today: MergeTree, granularity 1024', table: 'event_id_claims', create: null },
  {
    name: 'granularity 256 + bloom filter',
    table: 'claims_fine_bloom',
    create: `CREATE TABLE claims_fine_bloom (${COLUMNS}, INDEX ids event_id TYPE bloom_filter(0.01) GRANULARITY 1)
             ENGINE = MergeTree ORDER BY event_id SETTINGS index_granularity = 256`,
  },
  {
    name: 'EmbeddedRocksDB',
    table: 'claims_rocksdb',
    create: `CREATE TABLE claims_rocksdb (${COLUMNS}) ENGINE = EmbeddedRocksDB PRIMARY KEY event_id`,
  },
] as const;

async function median(runs: number, operation: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await operation();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** `count` claimed ids of the table, spread over it, and as many that are not claimed. */
async function idsToLookUp(warehouse: Warehouse, table: string, size: number, count: number): Promise<string[]> {
  const every = Math.max(1, Math.floor(size / count));
  const claimed = await warehouse.query<{ id: string }>(
    `SELECT event_id AS id FROM ${table} WHERE position % ${every} = 0 LIMIT ${count}`,
  );
  const fresh = Array.from({ length: count }, (_, i) => `bench-new-${size}-${i}`);
  return [...claimed.map((row) => row.id), ...fresh];
}

export async function benchClaimsGrowth(options: ClaimsGrowthOptions) {
  rmSync(options.dir, { recursive: true, force: true });
  const warehouse = await openWarehouse({ dataDir: options.dir });
  const ledger = createLedger(warehouse);
  const rows: Record<string, string | number>[] = [];
  try {
    for (const layout of LAYOUTS) if (layout.create) await warehouse.command(layout.create);
    let filled = 0;
    for (const size of options.sizes) {
      for (const layout of LAYOUTS) {
        await warehouse.command(
          `INSERT INTO ${layout.table} (event_id, fingerprint, source_key, partition, position)
           SELECT toString(generateUUIDv4()), 7, 1, 0, number FROM numbers(${filled}, ${size - filled})`,
        );
        if (layout.table !== 'claims_rocksdb') await warehouse.command(`OPTIMIZE TABLE ${layout.table} FINAL`);
      }
      filled = size;
      const row: Record<string, string | number> = { claims: size.toLocaleString('en-US') };
      for (const layout of LAYOUTS) {
        const ids = await idsToLookUp(warehouse, layout.table, size, options.lookup / 2);
        const ms = await median(options.runs ?? 5, async () => {
          const found =
            layout.table === 'event_id_claims'
              ? (await ledger.claimsFor(ids)).size
              : (
                  await warehouse.query(
                    `SELECT event_id, fingerprint, source_key, partition, position FROM ${layout.table}
                     WHERE event_id IN {ids:Array(String)}`,
                    { ids },
                  )
                ).length;
          if (found !== options.lookup / 2) throw new Error(`${layout.table}: found ${found} of ${options.lookup / 2}`);
        });
        row[layout.name] = ((ms * 1000) / ids.length).toFixed(1);
      }
      rows.push(row);
      options.log(`claims ${size.toLocaleString('en-US')}: ${JSON.stringify(row)}`);
    }
    return { lookup: options.lookup, layouts: LAYOUTS.map((layout) => layout.name), rows };
  } finally {
    await warehouse.close();
  }
}
