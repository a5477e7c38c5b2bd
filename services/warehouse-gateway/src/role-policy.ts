import {
  overHttp,
  READ_POLICY,
  readAndInsertPolicy,
  type SqlPolicy,
  WRITE_POLICY,
} from '@commune-pulse/warehouse/sql-guard';
import { type GatewayRole, isWriter } from './access.ts';

/** What each role's statements may do (the SQL guard's policies). */
export function policyOf(role: GatewayRole): SqlPolicy {
  if (isWriter(role)) return WRITE_POLICY;
  if (role === 'api') return readAndInsertPolicy('the api role', ['api_access_log']);
  return overHttp(READ_POLICY);
}

// Formats and settings that read files of the host to shape a result (a template, a schema): a role that only
// reads gets neither.
const FILE_READING_FORMAT = /^(template|protobuf|capnproto|regexp)/i;
const FILE_READING_SETTING = /^format_(template|schema|regexp)|schema_inference_hints$/;

/** Why a reading role may not use a request's output format or settings, or undefined. */
export function fileReadingOption(format: string | undefined, settings: ReadonlyArray<readonly [string, string]>) {
  if (format !== undefined && FILE_READING_FORMAT.test(format)) return `the format ${format} reads files of the host`;
  const setting = settings.find(([name]) => FILE_READING_SETTING.test(name));
  return setting === undefined ? undefined : `the setting ${setting[0]} reads files of the host`;
}
