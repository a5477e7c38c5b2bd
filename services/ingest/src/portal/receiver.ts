import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PORTAL_CALLS,
  type PortalCall,
  type PortalEnvelope,
  readPortalRecord,
  type UnitDirectory,
} from '@commune-pulse/portal';
import type { Logger } from '@commune-pulse/runtime';
import type { PortalCallSink } from './journal.ts';

/**
 * The portal's three sync calls over HTTP, answered in the portal's shape `{ error_code, message }`, so that a
 * provincial system already syncing with the national portal can be pointed here by changing its URLs and
 * adding a token. Each province has its own token and may only send dossiers of its own communes. A call is
 * checked whole (every record readable, every unit the province's) and made durable whole (journal fsync or
 * acks from all replicas) before the answer; a refused call stores nothing, and the province sends it again.
 */

export interface ProvinceAccess {
  provinceCode: string;
  /** SHA-256 of the province's token: tokens are compared by hash, in constant time */
  tokenSha256: Buffer;
  /** the province's key for pseudonymous officer references; without it NguoiXuLy is dropped */
  officerKey?: string | undefined;
}

export interface PortalReceiverOptions {
  host: string;
  port: number;
  provinces: readonly ProvinceAccess[];
  maxBodyBytes: number;
  units: () => UnitDirectory | Promise<UnitDirectory>;
  sink: PortalCallSink;
  logger: Logger;
  /** after each accepted call (the drain wakes up on it) */
  onAccepted?: (records: number) => void;
  now?: () => number;
}

/** error_code values: 0 is success, as the portal's clients test (`error_code == 0`, "thành công"). */
export const PORTAL_ERROR_CODES = {
  ok: 0,
  badRequest: 1,
  unauthorized: 2,
  forbidden: 3,
  tooLarge: 4,
  unavailable: 5,
  notFound: 6,
} as const;

/** Records in one call at most; the portal's clients send chunks of tens. */
export const MAX_RECORDS_PER_CALL = 1_000;

const SUCCESS: Record<PortalCall, string> = {
  ThemMoi: 'Thêm mới hồ sơ thành công',
  CapNhat: 'Cập nhật hồ sơ thành công',
  DongBoTienTrinh: 'Đồng bộ tiến trình xử lý thành công',
};

class CallError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function answer(response: ServerResponse, status: number, code: number, message: string) {
  const body = JSON.stringify({ error_code: code, message });
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest();

function provinceOf(request: IncomingMessage, provinces: readonly ProvinceAccess[]): ProvinceAccess | null {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const presented = sha256(match[1] as string);
  let found: ProvinceAccess | null = null;
  // Every province is compared, so the time taken does not tell which one nearly matched.
  for (const province of provinces) if (timingSafeEqual(presented, province.tokenSha256)) found = province;
  return found;
}

/** The body, refused past the limit without reading the rest (the declared length is checked first). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new CallError(413, PORTAL_ERROR_CODES.tooLarge, `Thất bại: nội dung vượt quá ${limit} byte`);
  if (Number(request.headers['content-length']) > limit) return Promise.reject(tooLarge());
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return Promise.reject(new CallError(415, PORTAL_ERROR_CODES.badRequest, 'Thất bại: Content-Encoding not accepted'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

function callOf(url: string | undefined): PortalCall | null {
  // Any prefix (/dvcqg/ThemMoi, /api/CapNhat): provinces configure the URL of each call.
  const last = (url ?? '').split('?')[0]?.split('/').filter(Boolean).pop()?.toLowerCase() ?? '';
  return PORTAL_CALLS.find((call) => call.toLowerCase() === last) ?? null;
}

/** Checks a call's records and returns their envelopes, or throws the refusal to answer. */
function acceptCall(
  call: PortalCall,
  body: Buffer,
  province: ProvinceAccess,
  units: UnitDirectory,
  receivedAt: string,
): { envelopes: PortalEnvelope[]; unmappedUnits: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new CallError(400, PORTAL_ERROR_CODES.badRequest, 'Thất bại: the body is not UTF-8 JSON');
  }
  const elements = Array.isArray(parsed) ? parsed : [parsed];
  if (elements.length === 0) throw new CallError(400, PORTAL_ERROR_CODES.badRequest, 'Thất bại: no record in the body');
  if (elements.length > MAX_RECORDS_PER_CALL) {
    throw new CallError(413, PORTAL_ERROR_CODES.tooLarge, `Thất bại: at most ${MAX_RECORDS_PER_CALL} records a call`);
  }
  const problems: string[] = [];
  let forbidden = false;
  const envelopes: PortalEnvelope[] = [];
  const unmappedUnits = new Set<string>();
  for (const [index, element] of elements.entries()) {
    const read = readPortalRecord(element, { officerKey: province.officerKey });
    if (!read.ok) {
      problems.push(`record ${index}: ${read.reject.detail}`);
      continue;
    }
    const expected = call === 'DongBoTienTrinh' ? 'history' : 'dossier';
    if (read.record.kind !== expected) {
      problems.push(
        `record ${index}: ${call} takes ${expected === 'history' ? 'processing-history records (QuaTrinhXuLyDongBoDVC)' : 'dossier records (HoSoDongBoDVC)'}`,
      );
      continue;
    }
    if (read.record.kind === 'dossier') {
      const place = units.lookup(read.record.unitCode, province.provinceCode);
      if (!place.ok && !place.unmapped) {
        forbidden = true;
        problems.push(`record ${index}: ${place.reject.detail}`);
        continue;
      }
      // An unmapped unit is taken: the record waits in the DLQ and the data-quality figures until it is mapped.
      if (!place.ok) unmappedUnits.add(read.record.unitCode ?? '(none)');
    }
    envelopes.push({
      portal_call: call,
      province_code: province.provinceCode,
      received_at: receivedAt,
      record: read.sanitized,
    });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new CallError(
      forbidden ? 403 : 400,
      forbidden ? PORTAL_ERROR_CODES.forbidden : PORTAL_ERROR_CODES.badRequest,
      `Thất bại, không lưu bản ghi nào: ${shown}${more}`,
    );
  }
  return { envelopes, unmappedUnits: [...unmappedUnits] };
}

export async function startPortalReceiver(options: PortalReceiverOptions) {
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const call = callOf(request.url);
    try {
      if (call === null)
        throw new CallError(404, PORTAL_ERROR_CODES.notFound, `Thất bại: calls are ${PORTAL_CALLS.join(', ')}`);
      if (request.method !== 'POST') throw new CallError(405, PORTAL_ERROR_CODES.notFound, 'Thất bại: POST only');
      const province = provinceOf(request, options.provinces);
      if (province === null) {
        throw new CallError(
          401,
          PORTAL_ERROR_CODES.unauthorized,
          'Thất bại: missing or unknown token (Authorization: Bearer)',
        );
      }
      const body = await readBody(request, options.maxBodyBytes);
      const { envelopes, unmappedUnits } = acceptCall(
        call,
        body,
        province,
        await options.units(),
        new Date(now()).toISOString(),
      );
      try {
        await options.sink.append(envelopes);
      } catch (error) {
        options.logger.error(
          { err: error, call, province: province.provinceCode },
          'a sync call could not be made durable',
        );
        throw new CallError(
          503,
          PORTAL_ERROR_CODES.unavailable,
          'Thất bại: chưa lưu được, hãy gửi lại (not stored; send again)',
        );
      }
      options.onAccepted?.(envelopes.length);
      options.logger.debug({ call, province: province.provinceCode, records: envelopes.length }, 'sync call accepted');
      const waiting =
        unmappedUnits.length === 0
          ? ''
          : ` (đơn vị chưa ánh xạ xã, chờ xử lý: ${unmappedUnits.slice(0, 5).join(', ')})`;
      answer(response, 200, PORTAL_ERROR_CODES.ok, `${SUCCESS[call]}: ${envelopes.length} bản ghi${waiting}`);
    } catch (error) {
      if (error instanceof CallError) {
        options.logger.info({ call, status: error.status }, 'sync call refused');
        if (error.status === 413) response.setHeader('connection', 'close');
        answer(response, error.status, error.code, error.message);
      } else {
        options.logger.error({ err: error, call }, 'sync call failed');
        answer(response, 500, PORTAL_ERROR_CODES.unavailable, 'Thất bại: internal error; send again');
      }
    }
  };
  const server = createServer((request, response) => {
    const work = handle(request, response);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    /** Stops taking calls and waits for the ones being made durable. */
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.allSettled([...inFlight]);
    },
  };
}
