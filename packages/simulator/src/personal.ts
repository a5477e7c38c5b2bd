import type { Commune } from '@commune-pulse/reference-data';
import { mulberry32, textSeed } from './random.ts';

// Personal fields as the provinces' sync records carry them (dossier-event-v1.md: ChuHoSo, SoGiayToChuHoSo,
// SoDienThoai, Email). The names are made up from common family, middle and given names; the e-mail domain is
// reserved for examples. The pipeline must drop all of them before anything is stored.

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Thanh', 'Ngọc', 'Quốc', 'Thu', 'Xuân'];
const GIVEN = [
  ['An', 'an'],
  ['Bình', 'binh'],
  ['Châu', 'chau'],
  ['Dũng', 'dung'],
  ['Giang', 'giang'],
  ['Hải', 'hai'],
  ['Hạnh', 'hanh'],
  ['Hiếu', 'hieu'],
  ['Hùng', 'hung'],
  ['Hương', 'huong'],
  ['Khánh', 'khanh'],
  ['Lan', 'lan'],
  ['Linh', 'linh'],
  ['Mai', 'mai'],
  ['Nam', 'nam'],
  ['Phúc', 'phuc'],
  ['Quân', 'quan'],
  ['Sơn', 'son'],
  ['Thảo', 'thao'],
  ['Trang', 'trang'],
  ['Tuấn', 'tuan'],
  ['Yến', 'yen'],
] as const;

function pickOf<T>(items: readonly T[], u: number): T {
  return items[Math.floor(u * items.length)] as T;
}

function digits(random: () => number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String(Math.floor(random() * 10));
  return text;
}

/** One made-up citizen, drawn from `seed`. */
function citizen(seed: number, commune: Commune) {
  const random = mulberry32(seed);
  const [given, ascii] = pickOf(GIVEN, random());
  const name = `${pickOf(FAMILY, random())} ${pickOf(MIDDLE, random())} ${given}`;
  // Citizen ID (CCCD): 3-digit place-of-birth code, a century/sex digit, 2 digits of birth year, 6 digits.
  const idNumber = `0${commune.provinceCode}${pickOf(['0', '1', '2', '3'], random())}${digits(random, 8)}`;
  const phone = `0${pickOf(['9', '8', '3', '7'], random())}${digits(random, 8)}`;
  const email = `${ascii}${digits(random, 3)}@example.vn`;
  return { name, given, idNumber, phone, email, random };
}

/** The JSON members (with a leading comma) of one citizen's personal fields, drawn from `seed`. */
export function personalFields(seed: number, commune: Commune): string {
  const { name, idNumber, phone, email } = citizen(seed, commune);
  return `,"ChuHoSo":${JSON.stringify(name)},"SoGiayToChuHoSo":"${idNumber}","SoDienThoai":"${phone}","Email":"${email}"`;
}

/**
 * Every personal field of a portal dossier record (HoSoDongBoDVC), filled with one made-up citizen: the values
 * the portal door must drop, and that a test can search the warehouse and the DLQ for.
 */
export function portalPersonalFields(seed: number, commune: Commune): Record<string, unknown> {
  const { name, given, idNumber, phone, email, random } = citizen(seed, commune);
  const house = 1 + Math.floor(random() * 200);
  return {
    ChuHoSo: name,
    SoGiayToChuHoSo: idNumber,
    LoaiDoiTuong: '1',
    MaDoiTuong: `CD${digits(random, 9)}`,
    Email: email,
    Fax: `02${digits(random, 8)}`,
    SoDienThoai: phone,
    TrichYeuHoSo: `Hồ sơ của công dân ${name}, số nhà ${house} ${commune.name}`,
    ThongTinKhac: `Liên hệ ${phone} sau 17 giờ`,
    GhiChu: `Đã gọi điện cho ${given}`,
    DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: idNumber }],
    TaiLieuNop: [
      { TenTepDinhKem: `cccd-${idNumber}.pdf`, DuongDanTaiTepTin: `https://dvc.example.vn/tep/${idNumber}.pdf` },
    ],
    DanhSachLePhi: [],
    DanhSachGiayToKetQua: [],
  };
}

/** A handling officer's made-up name, the same for the same pseudonymous reference. */
export function officerName(officerRef: string): string {
  const random = mulberry32(textSeed(officerRef));
  const [given] = pickOf(GIVEN, random());
  return `${pickOf(FAMILY, random())} ${pickOf(MIDDLE, random())} ${given}`;
}
