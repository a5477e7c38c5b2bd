import type { ReportData } from '../data.ts';
import type { Block } from '../document.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { communeCells, HTML_LIMIT, makeTable, provinceCells, sum, tableOrNone } from './table.ts';

/** What the pipeline received and rejected, unknown procedures, and the communes without staffing data. */
export function qualitySection(data: ReportData, context: ReportContext): ReportPart {
  const { t, fmt } = context;
  const quality = data.quality;
  const counts: [string, number][] = [
    [t('deliveries'), quality.deliveries],
    [t('eventsAccepted'), quality.events_accepted],
    [t('duplicates'), quality.duplicates],
    [t('rejected'), quality.rejected],
    [t('lateEvents'), quality.late_events],
    [t('unknownProcedureEvents'), quality.unknown_procedure_events],
  ];
  const qualityTable = makeTable(context, {
    id: 'data-quality',
    title: 'qualityTable',
    columns: [
      ['metric', 'metric', 'text'],
      ['value', 'value', 'integer'],
    ],
    items: counts,
    row: ([metric, value]) => ({ metric, value }),
  });
  const rejected = makeTable(context, {
    id: 'rejected-by-reason',
    title: 'rejectedTable',
    columns: [
      ['reason', 'reason', 'text'],
      ['events', 'events', 'integer'],
    ],
    items: quality.rejectedByReason,
    row: (row) => ({ reason: row.reason, events: row.events }),
    total: { reason: t('total'), events: quality.rejected },
  });
  const unknown = makeTable(context, {
    id: 'unknown-procedures',
    title: 'unknownProcedures',
    columns: [
      ['province_code', 'provinceCode', 'text'],
      ['province', 'province', 'text'],
      ['unknown_procedure_received', 'unknownProcedures', 'integer'],
      ['communes_without_staffing', 'communesWithoutStaffing', 'integer'],
    ],
    items: data.provinces,
    row: (row) => ({
      ...provinceCells(row.province_code),
      unknown_procedure_received: row.unknown_procedure_received,
      communes_without_staffing: row.communes_without_staffing,
    }),
    total: {
      province_code: null,
      province: t('total'),
      unknown_procedure_received: data.total.unknown_procedure_received,
      communes_without_staffing: data.total.communes_without_staffing,
    },
  });
  const withoutStaffing = makeTable(context, {
    id: 'without-staffing',
    title: 'withoutStaffingTable',
    columns: [
      ['commune_code', 'communeCode', 'text'],
      ['commune', 'commune', 'text'],
      ['province', 'province', 'text'],
      ['received', 'received', 'integer'],
    ],
    items: data.withoutStaffing,
    row: (row) => ({ ...communeCells(row), received: row.received }),
    total: {
      commune_code: t('total'),
      commune: null,
      province: null,
      received: sum(data.withoutStaffing.map((row) => row.received)),
    },
  });
  const blocks: Block[] = [
    { kind: 'text', text: t('qualityWindow', { from: fmt.day(quality.from), to: fmt.day(quality.to) }) },
    {
      kind: 'row',
      blocks: [{ kind: 'table', table: qualityTable }, tableOrNone(context, rejected)],
    },
    { kind: 'table', table: unknown },
    tableOrNone(context, withoutStaffing, { limit: HTML_LIMIT }),
  ];
  return {
    sections: [{ id: 'quality', title: t('quality'), blocks }],
    tables: [qualityTable, rejected, unknown, withoutStaffing],
  };
}
