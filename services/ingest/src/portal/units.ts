import { createUnitDirectory, type UnitDirectory } from '@commune-pulse/portal';
import { loadUnitMapping, type Warehouse } from '@commune-pulse/warehouse';

/** How often a long-running door looks for a newer units.csv import. */
const RELOAD_CHECK_MS = 30_000;

/**
 * The unit mapping in force, reloaded when a newer import appears: a long-running consumer or receiver picks up
 * `pnpm cli portal units import` without a restart.
 */
export async function unitMappingOf(warehouse: Warehouse): Promise<() => Promise<UnitDirectory>> {
  const latest = async () => {
    const [row] = await warehouse.query<{ at: string }>(
      'SELECT toString(max(imported_at)) AS at FROM portal_unit_imports',
    );
    return row?.at ?? '';
  };
  let version = await latest();
  let directory = createUnitDirectory(await loadUnitMapping(warehouse));
  let checkedAt = Date.now();
  return async () => {
    if (Date.now() - checkedAt < RELOAD_CHECK_MS) return directory;
    checkedAt = Date.now();
    const now = await latest();
    if (now !== version) {
      directory = createUnitDirectory(await loadUnitMapping(warehouse));
      version = now;
    }
    return directory;
  };
}
