/** The one registry of topic names (outputs.md). */
export const TOPICS = {
  dossierEvents: 'dossier-events.v1',
  dossierEventsDlq: 'dossier-events.v1.dlq',
  communeStaffing: 'commune-staffing.v1',
  communePressure: 'commune-pressure.v1',
  communeAlerts: 'commune-alerts.v1',
} as const;
