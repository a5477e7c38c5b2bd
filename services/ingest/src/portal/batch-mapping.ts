import type { Reject } from '@commune-pulse/contracts';
import {
  mapDossierRecord,
  mapHistoryRecord,
  type PortalDossierRecord,
  type PortalDossierState,
  type PortalEnvelope,
  type PortalInput,
  type PortalMapping,
  type PortalRecord,
  portalInputOf,
  readPortalRecord,
  type SanitizedRecord,
  type UnitDirectory,
  type UnitLookup,
} from '@commune-pulse/portal';
import { provinceOfCommune } from '@commune-pulse/reference-data';
import type { SourceMessage } from '../pipeline.ts';
import type { DossierEntry, PortalDossierStates } from './dossier-states.ts';
import { PORTAL_BLOCKS, type PortalElement, parseElement, REJECT_SLOT } from './element.ts';
import { emptyPortalOutcome, type PortalOutcome } from './outcome.ts';

/** How a batch is mapped: the unit mapping in force and what the adapter was told of its source. */
export interface BatchMappingSetting {
  units: UnitDirectory;
  /** `--commune`: every dossier record of the source is of this commune */
  communeOverride: string | undefined;
  /** the province's key for officer references of bare records */
  officerKey: string | undefined;
  sourceSystem: string;
}

export interface UnmappedUnit {
  province_code: string;
  unit_code: string;
  dossier_id: string;
}

/** A batch mapped: the messages for the pipeline, what became of the elements, the dossiers it moved. */
export interface MappedBatch {
  messages: SourceMessage[];
  outcome: PortalOutcome;
  /** dossiers the batch touched (each counted in flight once) */
  touched: Set<string>;
  /** states to write once the batch is stored */
  states: PortalDossierState[];
  unmapped: UnmappedUnit[];
}

const foreign = (): Reject => ({
  reason: 'portal_foreign_commune',
  detail: 'MaHoSo: the dossier is of another province (rule: a province sends its own communes only)',
});

function rejectElement(
  batch: MappedBatch,
  item: PortalElement,
  value: string | null,
  key: string | null,
  found: Reject,
) {
  batch.messages.push({
    position: item.ordinal * PORTAL_BLOCKS.positionsPerElement + REJECT_SLOT,
    value,
    key,
    reject: found,
  });
}

/** What the DLQ keeps of a read record: the sanitized record (in its envelope when it came in one). */
function deadLetterValue(
  input: Omit<PortalInput, 'record'>,
  sanitized: SanitizedRecord,
  observedAtMs: number | null,
): string {
  return input.call === null || observedAtMs === null
    ? JSON.stringify(sanitized)
    : JSON.stringify({
        portal_call: input.call,
        province_code: input.provinceCode ?? undefined,
        received_at: new Date(observedAtMs).toISOString(),
        record: sanitized,
      } satisfies PortalEnvelope);
}

/** The commune of a dossier record: its known state's, else the override's or the unit mapping's. */
function placeOf(
  setting: BatchMappingSetting,
  entry: DossierEntry,
  record: PortalDossierRecord,
  senderProvince: string | null,
): UnitLookup {
  if (entry.state) {
    return { ok: true as const, communeCode: entry.state.communeCode, provinceCode: entry.state.provinceCode };
  }
  if (setting.communeOverride !== undefined) {
    const province = provinceOfCommune(setting.communeOverride) ?? '';
    return { ok: true, communeCode: setting.communeOverride, provinceCode: province };
  }
  return setting.units.lookup(record.unitCode, senderProvince);
}

/** A record mapped against its dossier's state, or the reject it earns (a foreign or unmapped commune). */
function mapRecord(
  setting: BatchMappingSetting,
  batch: MappedBatch,
  entry: DossierEntry,
  record: PortalRecord,
  input: Omit<PortalInput, 'record'>,
  observedAtMs: number | null,
): PortalMapping | { reject: Reject } {
  if (record.kind === 'history') {
    if (input.provinceCode !== null && entry.state && entry.state.provinceCode !== input.provinceCode) {
      return { reject: foreign() };
    }
    return mapHistoryRecord(record, entry.state, setting.sourceSystem);
  }
  const place = placeOf(setting, entry, record, input.provinceCode);
  if (!place.ok) {
    if (place.unmapped) {
      batch.outcome.unmapped += 1;
      batch.unmapped.push({
        province_code: input.provinceCode ?? '',
        unit_code: record.unitCode ?? '',
        dossier_id: record.dossierId,
      });
    }
    return { reject: place.reject };
  }
  if (input.provinceCode !== null && place.provinceCode !== input.provinceCode) return { reject: foreign() };
  return mapDossierRecord(record, entry.state, {
    communeCode: place.communeCode,
    provinceCode: place.provinceCode,
    observedAtMs,
    sourceSystem: input.provinceCode === null ? setting.sourceSystem : `${setting.sourceSystem}-${input.provinceCode}`,
  });
}

/**
 * One batch of elements read, given their communes and mapped against their dossiers' states, in order: the
 * derived events as messages at their element's positions, each reject at its element's reject slot. The
 * dossiers' states move in `states` (the mapping of the next batch sees them); they are stored by the caller.
 */
export async function mapPortalBatch(
  setting: BatchMappingSetting,
  states: PortalDossierStates,
  elements: readonly PortalElement[],
): Promise<MappedBatch> {
  const batch: MappedBatch = {
    messages: [],
    outcome: emptyPortalOutcome(),
    touched: new Set(),
    states: [],
    unmapped: [],
  };
  const reads = elements.map((item) => {
    const parsed = parseElement(item);
    if (!parsed.ok) return { item, failure: parsed.reject, input: null, read: null };
    const { record, ...input } = portalInputOf(parsed.value);
    return { item, failure: undefined, input, read: readPortalRecord(record, { officerKey: setting.officerKey }) };
  });
  const ids = new Set<string>();
  for (const { read } of reads) if (read?.ok) ids.add(read.record.dossierId);
  await states.load([...ids]);

  for (const { item, failure, input, read } of reads) {
    batch.outcome.records += 1;
    if (failure !== undefined || read === null || input === null) {
      rejectElement(batch, item, null, null, failure as Reject);
      continue;
    }
    const observedAtMs = input.observedAtMs ?? item.observedAtMs ?? null;
    // What the DLQ keeps: the sanitized record, never the raw element.
    const value = () => deadLetterValue(input, read.sanitized ?? {}, observedAtMs);
    if (!read.ok) {
      rejectElement(batch, item, value(), null, read.reject);
      continue;
    }
    const record = read.record;
    const entry = states.entry(record.dossierId);
    if (!batch.touched.has(record.dossierId)) {
      batch.touched.add(record.dossierId);
      entry.inFlight += 1;
    }
    const mapped = mapRecord(setting, batch, entry, record, input, observedAtMs);
    if (mapped.reject) {
      rejectElement(batch, item, value(), record.dossierId, mapped.reject);
      continue;
    }
    const { notes, state, events } = mapped as PortalMapping;
    for (const note of notes) batch.outcome.notes[note] += 1;
    if (state) entry.state = state;
    // Events derived again (a record sent again) go to the pipeline too: its claims count them as duplicates.
    for (const [index, event] of events.entries()) {
      batch.outcome.derived += 1;
      batch.messages.push({
        position: item.ordinal * PORTAL_BLOCKS.positionsPerElement + index,
        value: JSON.stringify(event),
        key: record.dossierId,
      });
    }
  }
  batch.states = states.changed(batch.touched);
  return batch;
}
