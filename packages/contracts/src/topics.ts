/** The one registry of topic names (outputs.md). */
export const TOPICS = {
  dossierEvents: 'dossier-events.v1',
  dossierEventsDlq: 'dossier-events.v1.dlq',
  communeStaffing: 'commune-staffing.v1',
  communePressure: 'commune-pressure.v1',
  communeAlerts: 'commune-alerts.v1',
  /** the national portal's sync records as the portal receiver accepted them (one record a message, keyed MaHoSo) */
  portalDossiers: 'portal-dossiers.v1',
  portalDossiersDlq: 'portal-dossiers.v1.dlq',
} as const;
