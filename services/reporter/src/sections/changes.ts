import type { LevelChange, ReportData } from '../data.ts';
import type { Block } from '../document.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { type ColumnSpec, communeCells, HTML_LIMIT, makeTable, sum, tableOrNone } from './table.ts';

const CHANGE_COLUMNS: ColumnSpec[] = [
  ['commune_code', 'communeCode', 'text'],
  ['commune', 'commune', 'text'],
  ['province', 'province', 'text'],
  ['previous_level', 'previousLevel', 'level'],
  ['level', 'level', 'level'],
  ['previous_index', 'previousIndex', 'index'],
  ['pressure_index', 'pressureIndex', 'index'],
];

const changeRow = (row: LevelChange) => ({
  ...communeCells(row),
  previous_level: row.previous_level,
  level: row.level,
  previous_index: row.previous_index,
  pressure_index: row.pressure_index,
});

/** The communes whose level changed since the week before: how many each way, those that rose, those that fell. */
export function changesSection(data: ReportData, context: ReportContext): ReportPart {
  const { t, fmt } = context;
  const changes = data.changes;
  const transitions = makeTable(context, {
    id: 'level-changes',
    title: 'transitionsTable',
    columns: [
      ['from', 'from', 'level'],
      ['to', 'to', 'level'],
      ['communes', 'communes', 'integer'],
    ],
    items: changes.transitions,
    row: (row) => ({ from: row.from, to: row.to, communes: row.communes }),
    total: { from: t('total'), to: null, communes: sum(changes.transitions.map((row) => row.communes)) },
  });
  const rose = makeTable(context, {
    id: 'became-high-or-critical',
    title: 'roseTable',
    columns: CHANGE_COLUMNS,
    items: changes.rose,
    row: changeRow,
  });
  const recovered = makeTable(context, {
    id: 'recovered',
    title: 'recoveredTable',
    columns: CHANGE_COLUMNS,
    items: changes.recovered,
    row: changeRow,
  });
  const blocks: Block[] = changes.previousAvailable
    ? [
        { kind: 'text', text: t('changesCompared', { n: fmt.integer(changes.compared) }) },
        { kind: 'table', table: transitions },
        tableOrNone(context, rose, { limit: HTML_LIMIT }),
        tableOrNone(context, recovered, { limit: HTML_LIMIT }),
      ]
    : [{ kind: 'text', text: t('changesNoPrevious', { week: fmt.week(data.previous.label) }) }];
  return {
    sections: [{ id: 'changes', title: t('changes'), blocks }],
    tables: [transitions, rose, recovered],
  };
}
