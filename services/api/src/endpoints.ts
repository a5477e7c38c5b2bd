import type { Endpoint } from './endpoint.ts';
import { alerts } from './endpoints/alerts.ts';
import { explain, history } from './endpoints/commune.ts';
import { dataQuality } from './endpoints/data-quality.ts';
import { communes, national, overview, provincesEndpoint, weeks } from './endpoints/pressure.ts';
import { reportFile, reports } from './endpoints/reports.ts';
import { sql } from './endpoints/sql.ts';

export { ApiProblem, type Endpoint, type EndpointContext, type FileAnswer } from './endpoint.ts';

/**
 * Every endpoint of the API, declared once (./endpoint.ts says what an endpoint is): its path, parameters and
 * answer, who may call it, and the handler. Every query of every handler is limited to the caller's provinces in
 * its own WHERE clause: the scope is part of the SQL, not a check beside it. A new one must be added to the scope
 * test's table (test/api/scope.test.ts).
 */
export const ENDPOINTS: readonly Endpoint[] = [
  weeks,
  overview,
  national,
  provincesEndpoint,
  communes,
  history,
  explain,
  alerts,
  dataQuality,
  reports,
  reportFile,
  sql,
];
