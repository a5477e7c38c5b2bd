// Estimation parameter sets in the warehouse, each stored once under the version that indicator rows record.

import { canonicalJson, type EstimationParams, paramsVersion, resolveParams } from '@commune-pulse/workload';
import type { Warehouse } from '../warehouse.ts';

/**
 * Records a parameter set under its version (`paramsVersion`), once: the set an indicator row's params_version
 * names can always be looked up. Returns the version.
 */
export async function saveParams(
  warehouse: Warehouse,
  params: EstimationParams,
  source: string,
  options: { importedAtMs?: number } = {},
): Promise<string> {
  const version = paramsVersion(params);
  const [known] = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM estimation_params WHERE params_version = {version:String}',
    { version },
  );
  if (Number(known?.n ?? 0) === 0) {
    await warehouse.insert('estimation_params', [
      {
        params_version: version,
        params: canonicalJson(params),
        source,
        imported_at: new Date(options.importedAtMs ?? Date.now()).toISOString(),
      },
    ]);
  }
  return version;
}

/** The parameter set recorded under a version, or undefined when none was. */
export async function loadParams(warehouse: Warehouse, version: string): Promise<EstimationParams | undefined> {
  const [row] = await warehouse.query<{ params: string }>(
    'SELECT params FROM estimation_params FINAL WHERE params_version = {version:String} LIMIT 1',
    { version },
  );
  if (row === undefined) return undefined;
  const resolved = resolveParams(JSON.parse(row.params));
  if (!resolved.ok) {
    throw new Error(`the stored parameter set ${version} is no longer valid: ${resolved.errors.join('; ')}`);
  }
  return resolved.params;
}
