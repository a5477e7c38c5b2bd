import type { PressureLevel } from '@commune-pulse/workload';
import * as echarts from 'echarts';

export const LEVEL_COLORS: Record<PressureLevel, string> = {
  low: '#2e7d32',
  normal: '#1e88e5',
  elevated: '#f9a825',
  high: '#ef6c00',
  critical: '#c62828',
};
const FONT = "'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
const TEXT_STYLE = { fontFamily: FONT, fontSize: 11, color: '#333' };
const SERIES_COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457', '#4e342e'];

/**
 * One chart as an inline SVG document: ECharts' server-side renderer, no DOM and no network, so the report stays
 * a single self-contained file and the PDF shows exactly what the HTML shows.
 */
export function renderChart(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: TEXT_STYLE, color: SERIES_COLORS, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface BarDatum {
  label: string;
  value: number;
  color: string;
}

/** Vertical bars, one colour each (communes per level, histogram bins). */
export function barChart(
  bars: readonly BarDatum[],
  options: {
    width: number;
    height: number;
    yName?: string;
    rotate?: number;
    format: (v: number) => string;
    /** many empty bins (a histogram): no "0" over each */
    hideZeroLabels?: boolean;
  },
): string {
  return renderChart(
    {
      grid: { left: 48, right: 16, top: 28, bottom: options.rotate ? 56 : 32 },
      xAxis: {
        type: 'category',
        data: bars.map((bar) => bar.label),
        axisLabel: { interval: 0, rotate: options.rotate ?? 0, fontSize: 10, width: 84, overflow: 'break' },
      },
      yAxis: {
        type: 'value',
        name: options.yName,
        minInterval: 1,
        nameTextStyle: { align: 'left' },
        axisLabel: { formatter: (v: number) => options.format(v) },
      },
      series: [
        {
          type: 'bar',
          data: bars.map((bar) => ({ value: bar.value, itemStyle: { color: bar.color } })),
          label: {
            show: true,
            position: 'top',
            fontSize: 10,
            formatter: (p: { value: number }) => options.format(p.value),
          },
          barCategoryGap: '20%',
        },
      ],
    },
    options.width,
    options.height,
  );
}

/** Horizontal bars sorted by value, with a reference line (the pressure index of each province against 1.0). */
export function rankedBarChart(
  bars: readonly BarDatum[],
  options: { width: number; reference: number; format: (v: number) => string },
): string {
  const sorted = [...bars].sort((a, b) => a.value - b.value);
  const height = Math.max(160, 22 + sorted.length * 17);
  return renderChart(
    {
      grid: { left: 150, right: 56, top: 8, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => options.format(v) } },
      yAxis: { type: 'category', data: sorted.map((bar) => bar.label), axisLabel: { fontSize: 10, interval: 0 } },
      series: [
        {
          type: 'bar',
          data: sorted.map((bar) => ({ value: bar.value, itemStyle: { color: bar.color } })),
          label: {
            show: true,
            position: 'right',
            fontSize: 9,
            formatter: (p: { value: number }) => options.format(p.value),
          },
          barCategoryGap: '25%',
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: '#555', type: 'dashed' },
            label: { formatter: () => options.format(options.reference) },
            data: [{ xAxis: options.reference }],
          },
        },
      ],
    },
    options.width,
    height,
  );
}

export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
  /** drawn against the right-hand axis */
  right?: boolean;
  dashed?: boolean;
}

/** Lines over weeks; a second axis on the right when some series ask for it (the index beside FTE totals). */
export function lineChart(
  labels: readonly string[],
  series: readonly LineSeries[],
  options: {
    width: number;
    height: number;
    leftName?: string;
    rightName?: string;
    formatLeft: (v: number) => string;
    formatRight?: (v: number) => string;
  },
): string {
  const hasRight = series.some((line) => line.right);
  return renderChart(
    {
      legend: { bottom: 0, type: 'plain', textStyle: { fontSize: 10 } },
      grid: { left: 56, right: hasRight ? 56 : 16, top: 30, bottom: series.length > 4 ? 64 : 48 },
      xAxis: { type: 'category', data: [...labels], boundaryGap: false },
      yAxis: [
        { type: 'value', name: options.leftName, axisLabel: { formatter: (v: number) => options.formatLeft(v) } },
        ...(hasRight
          ? [
              {
                type: 'value',
                name: options.rightName,
                splitLine: { show: false },
                axisLabel: { formatter: (v: number) => (options.formatRight ?? options.formatLeft)(v) },
              },
            ]
          : []),
      ],
      series: series.map((line) => ({
        name: line.name,
        type: 'line',
        yAxisIndex: line.right ? 1 : 0,
        data: [...line.values],
        connectNulls: false,
        symbolSize: 5,
        lineStyle: { width: 2, type: line.dashed ? 'dashed' : 'solid' },
      })),
    },
    options.width,
    options.height,
  );
}

/** A table cell's trend: a small line with the last point marked, no axes. */
export function sparkline(values: readonly (number | null)[], color: string): string {
  const last = values.length - 1;
  return renderChart(
    {
      grid: { left: 2, right: 4, top: 2, bottom: 2 },
      xAxis: { type: 'category', show: false, boundaryGap: false, data: values.map((_, i) => i) },
      yAxis: { type: 'value', show: false, scale: true },
      series: [
        {
          type: 'line',
          data: values.map((value, i) => ({
            value,
            symbolSize: i === last ? 4 : 0,
            itemStyle: { color },
          })),
          lineStyle: { width: 1.5, color },
          symbol: 'circle',
          connectNulls: false,
        },
      ],
    },
    100,
    20,
  );
}
