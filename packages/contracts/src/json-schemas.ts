import { z } from 'zod';
import { alertWebhookBody, communeAlertMessage } from './alerts.ts';
import { dossierEventV1 } from './dossier-event.ts';
import { communePressureMessage } from './pressure.ts';
import { rejectedEventRow } from './reject.ts';
import { communeStaffingRow } from './staffing.ts';

/** Every published schema, by the file name its JSON Schema is committed under (packages/contracts/schemas). */
export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  'dossier-event-v1': dossierEventV1,
  'rejected-event': rejectedEventRow,
  'commune-pressure-v1': communePressureMessage,
  'commune-staffing-row': communeStaffingRow,
  'commune-alerts-v1': communeAlertMessage,
  'alert-webhook-body': alertWebhookBody,
};

export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    files[`${name}.schema.json`] = `${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2)}\n`;
  }
  return files;
}
