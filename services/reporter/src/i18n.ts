import type { PressureLevel } from '@commune-pulse/workload';

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Every piece of text the report shows, in each language. */
const TEXT = {
  vi: {
    title: 'Báo cáo áp lực nhân sự hằng tuần',
    national: 'Toàn quốc',
    weekRange: 'Từ {from} đến {to}',
    generatedAt: 'Lập lúc {at}',
    source: 'Số liệu: kho dữ liệu commune-pulse (pressure_indicators, commune_weekly, commune_staffing, data_quality).',
    contents: 'Nội dung',
    summary: 'Tóm tắt',
    summaryNational: 'Tóm tắt toàn quốc',
    keyFigures: 'Các chỉ số chính',
    metric: 'Chỉ số',
    value: 'Giá trị',
    levels: 'Số đơn vị cấp xã theo mức áp lực',
    level: 'Mức áp lực',
    share: 'Tỷ lệ',
    withoutStaffing: 'Chưa có dữ liệu nhân sự',
    provincesTable: 'Các tỉnh, thành phố',
    provincePressureChart: 'Chỉ số áp lực theo tỉnh, thành phố',
    trend: 'Diễn biến 12 tuần',
    trendTable: 'Tổng theo tuần',
    top: 'Các đơn vị cấp xã chịu áp lực cao nhất',
    topTrendChart: 'Chỉ số áp lực 12 tuần của các đơn vị áp lực cao nhất',
    changes: 'Thay đổi so với tuần trước',
    changesNoPrevious: 'Chưa có số liệu của tuần trước ({week}) để so sánh.',
    changesCompared: '{n} đơn vị cấp xã có mức áp lực ở cả hai tuần.',
    roseTable: 'Chuyển lên mức Cao hoặc Nghiêm trọng',
    recoveredTable: 'Đã giảm khỏi mức Cao hoặc Nghiêm trọng',
    transitionsTable: 'Số đơn vị chuyển mức',
    none: 'Không có.',
    alerts: 'Cảnh báo trong tuần',
    alertsByRule: 'Cảnh báo theo quy tắc',
    alertsList: 'Danh sách cảnh báo',
    quality: 'Chất lượng dữ liệu',
    qualityWindow: 'Dữ liệu tiếp nhận từ {from} đến {to} (toàn quốc).',
    qualityTable: 'Tiếp nhận sự kiện',
    rejectedTable: 'Sự kiện bị từ chối theo lý do',
    withoutStaffingTable: 'Đơn vị có hồ sơ nhưng chưa có dữ liệu nhân sự',
    provinceSection: '{name}',
    histogram: 'Phân bố chỉ số áp lực',
    provinceTop: 'Đơn vị áp lực cao nhất',
    total: 'Tổng cộng',
    shownOf: 'Hiển thị {shown}/{total} dòng; tệp CSV có đủ các dòng.',
    noIndex: 'không có nhân sự',
    noData: 'Không có số liệu.',
    // columns
    rank: 'Hạng',
    communeCode: 'Mã xã',
    commune: 'Đơn vị cấp xã',
    provinceCode: 'Mã tỉnh',
    province: 'Tỉnh, thành phố',
    communes: 'Số đơn vị',
    withIndex: 'Có chỉ số',
    received: 'Hồ sơ tiếp nhận',
    resolved: 'Hồ sơ đã giải quyết',
    requiredFte: 'Nhân sự cần (FTE)',
    requiredStaffedFte: 'Nhân sự cần ở đơn vị có dữ liệu (FTE)',
    actualFte: 'Nhân sự hiện có (FTE)',
    pressureIndex: 'Chỉ số áp lực',
    proposedStaff: 'Định biên đề xuất',
    staffToday: 'Nhân sự ngày {day}',
    proposalGap: 'Chênh lệch đề xuất',
    onlineShare: 'Tỷ lệ trực tuyến',
    onTimeRate: 'Tỷ lệ đúng hạn',
    overdue: 'Hồ sơ quá hạn',
    open: 'Hồ sơ tồn',
    unknownProcedures: 'Hồ sơ có mã thủ tục ngoài danh mục',
    trend12: 'Xu hướng 12 tuần',
    week: 'Tuần',
    previousLevel: 'Mức tuần trước',
    previousIndex: 'Chỉ số tuần trước',
    from: 'Từ mức',
    to: 'Sang mức',
    rule: 'Quy tắc',
    state: 'Trạng thái',
    firedAt: 'Phát lúc',
    resolvedAt: 'Hết lúc',
    threshold: 'Ngưỡng',
    alertCount: 'Số cảnh báo',
    reason: 'Lý do',
    events: 'Sự kiện',
    bin: 'Khoảng chỉ số',
    deliveries: 'Lượt nhận',
    eventsAccepted: 'Sự kiện hợp lệ',
    duplicates: 'Bản trùng',
    rejected: 'Bị từ chối',
    lateEvents: 'Sự kiện đến muộn',
    unknownProcedureEvents: 'Sự kiện có mã thủ tục ngoài danh mục',
    communesWithoutStaffing: 'Đơn vị chưa có dữ liệu nhân sự',
    pageFooter: 'Trang',
  },
  en: {
    title: 'Weekly staffing pressure report',
    national: 'Nationwide',
    weekRange: 'From {from} to {to}',
    generatedAt: 'Generated {at}',
    source:
      'Figures: the commune-pulse warehouse (pressure_indicators, commune_weekly, commune_staffing, data_quality).',
    contents: 'Contents',
    summary: 'Summary',
    summaryNational: 'National summary',
    keyFigures: 'Key figures',
    metric: 'Measure',
    value: 'Value',
    levels: 'Communes by pressure level',
    level: 'Pressure level',
    share: 'Share',
    withoutStaffing: 'No staffing data',
    provincesTable: 'Provinces',
    provincePressureChart: 'Pressure index by province',
    trend: 'Last 12 weeks',
    trendTable: 'Weekly totals',
    top: 'Most pressured communes',
    topTrendChart: 'Pressure index of the most pressured communes over 12 weeks',
    changes: 'Changes since the week before',
    changesNoPrevious: 'No figures for the week before ({week}) to compare with.',
    changesCompared: '{n} communes have a pressure level in both weeks.',
    roseTable: 'Became high or critical',
    recoveredTable: 'Recovered from high or critical',
    transitionsTable: 'Communes changing level',
    none: 'None.',
    alerts: 'Alerts of the week',
    alertsByRule: 'Alerts by rule',
    alertsList: 'Alerts',
    quality: 'Data quality',
    qualityWindow: 'Deliveries ingested from {from} to {to} (nationwide).',
    qualityTable: 'Event intake',
    rejectedTable: 'Rejected events by reason',
    withoutStaffingTable: 'Communes with dossiers but no staffing data',
    provinceSection: '{name}',
    histogram: 'Distribution of the pressure index',
    provinceTop: 'Most pressured communes',
    total: 'Total',
    shownOf: 'Showing {shown} of {total} rows; the CSV file has them all.',
    noIndex: 'no staff',
    noData: 'No figures.',
    rank: 'Rank',
    communeCode: 'Commune code',
    commune: 'Commune',
    provinceCode: 'Province code',
    province: 'Province',
    communes: 'Communes',
    withIndex: 'With an index',
    received: 'Dossiers received',
    resolved: 'Dossiers resolved',
    requiredFte: 'Staff required (FTE)',
    requiredStaffedFte: 'Staff required where staffing is known (FTE)',
    actualFte: 'Staff (FTE)',
    pressureIndex: 'Pressure index',
    proposedStaff: 'Proposed staff',
    staffToday: 'Staff on {day}',
    proposalGap: 'Proposal gap',
    onlineShare: 'Online share',
    onTimeRate: 'On-time rate',
    overdue: 'Overdue dossiers',
    open: 'Open dossiers',
    unknownProcedures: 'Dossiers with procedure codes outside the catalog',
    trend12: '12-week trend',
    week: 'Week',
    previousLevel: 'Level the week before',
    previousIndex: 'Index the week before',
    from: 'From level',
    to: 'To level',
    rule: 'Rule',
    state: 'State',
    firedAt: 'Fired',
    resolvedAt: 'Resolved',
    threshold: 'Threshold',
    alertCount: 'Alerts',
    reason: 'Reason',
    events: 'Events',
    bin: 'Index range',
    deliveries: 'Deliveries',
    eventsAccepted: 'Events accepted',
    duplicates: 'Duplicates',
    rejected: 'Rejected',
    lateEvents: 'Late events',
    unknownProcedureEvents: 'Events with procedure codes outside the catalog',
    communesWithoutStaffing: 'Communes without staffing data',
    pageFooter: 'Page',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type TextKey = keyof (typeof TEXT)['vi'];

const LEVEL_NAMES: Record<Lang, Record<PressureLevel, string>> = {
  vi: { low: 'Thấp', normal: 'Bình thường', elevated: 'Hơi cao', high: 'Cao', critical: 'Nghiêm trọng' },
  en: { low: 'Low', normal: 'Normal', elevated: 'Elevated', high: 'High', critical: 'Critical' },
};

const STATE_NAMES: Record<Lang, Record<string, string>> = {
  vi: { pending: 'Chờ xác nhận', firing: 'Đang cảnh báo', resolved: 'Đã hết', cancelled: 'Đã hủy' },
  en: { pending: 'Pending', firing: 'Firing', resolved: 'Resolved', cancelled: 'Cancelled' },
};

/** Text and number, date and week formats of one language (Intl 'vi-VN': 1.234,5 and dd/mm/yyyy). */
export interface Formatter {
  lang: Lang;
  t(key: TextKey, values?: Record<string, string | number>): string;
  level(level: PressureLevel): string;
  alertState(state: string): string;
  integer(value: number): string;
  decimal(value: number, digits: number): string;
  percent(value: number): string;
  /** `YYYY-MM-DD` as dd/mm/yyyy (vi) or 26 Nov 2026 (en) */
  day(day: string): string;
  dateTime(ms: number): string;
  /** `2026-W47` as "Tuần 47/2026" or "Week 47, 2026" */
  week(label: string): string;
  /** `2026-W47` as "T47" or "W47", for chart axes */
  shortWeek(label: string): string;
}

export function formatter(lang: Lang): Formatter {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  const integers = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimals = new Map<number, Intl.NumberFormat>();
  const percents = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const days = new Intl.DateTimeFormat(
    locale,
    lang === 'vi'
      ? { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' },
  );
  const times = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone: TIME_ZONE,
  });
  const text = TEXT[lang];
  const weekParts = (label: string) => {
    const match = /^(\d{4})-W(\d{2})$/.exec(label);
    if (!match) throw new RangeError(`not an ISO week label: ${label}`);
    return { year: match[1] as string, week: String(Number(match[2])) };
  };
  return {
    lang,
    t(key, values = {}) {
      return text[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
    },
    level: (level) => LEVEL_NAMES[lang][level],
    alertState: (state) => STATE_NAMES[lang][state] ?? state,
    integer: (value) => integers.format(value),
    decimal(value, digits) {
      let format = decimals.get(digits);
      if (!format) {
        format = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
        decimals.set(digits, format);
      }
      return format.format(value);
    },
    percent: (value) => percents.format(value),
    // A calendar day has no time zone: formatted at UTC midnight so that it never shifts.
    day: (day) => days.format(new Date(`${day}T00:00:00Z`)),
    dateTime: (ms) => times.format(new Date(ms)),
    week(label) {
      const { year, week } = weekParts(label);
      return lang === 'vi' ? `Tuần ${week}/${year}` : `Week ${week}, ${year}`;
    },
    shortWeek(label) {
      const { week } = weekParts(label);
      return lang === 'vi' ? `T${week}` : `W${week}`;
    },
  };
}
