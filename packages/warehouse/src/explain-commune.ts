import { communeByCode, defaultCalendar, type Period } from '@commune-pulse/reference-data';
import { computeIndicator, DEFAULT_PARAMS, type EstimationParams, wisnFactors } from '@commune-pulse/workload';
import { gatherInputs } from './estimation-inputs.ts';
import { loadEffectiveCatalog } from './reference-inputs.ts';
import type { Warehouse } from './warehouse.ts';

/**
 * Every input and every step from one commune's dossier counts to its pressure level for a period, as a person
 * would check it by hand: what `pnpm cli explain` prints and the API's explain endpoint returns.
 */
export async function explainCommune(
  warehouse: Warehouse,
  communeCode: string,
  period: Period,
  params: EstimationParams = DEFAULT_PARAMS,
) {
  if (!communeByCode(communeCode)) throw new Error(`${communeCode} is not a commune-level unit of the registry`);
  const factors = wisnFactors(params);
  if (!factors.ok) throw new Error(`parameters: ${factors.error}`);
  const catalog = await loadEffectiveCatalog(warehouse);
  const [inputs] = await gatherInputs(warehouse, period, catalog, defaultCalendar(), [communeCode]);
  if (!inputs) throw new Error(`no inputs for ${communeCode}`);
  const { indicator, explanation } = computeIndicator(inputs, { params, factors: factors.value });
  return {
    commune: communeCode,
    period: period.label,
    catalog_version: catalog.version,
    catalog_calibration: catalog.calibration,
    inputs,
    steps: explanation,
    indicator,
  };
}

export type CommuneExplanation = Awaited<ReturnType<typeof explainCommune>>;
