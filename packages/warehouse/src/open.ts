import { migrate } from './migrate.ts';
import { createWarehouse, type Warehouse, type WarehouseOptions } from './warehouse.ts';

/** The warehouse, migrated to the current schema: what every service starts with. */
export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const warehouse = createWarehouse(options);
  try {
    await migrate(warehouse);
  } catch (error) {
    await warehouse.close().catch(() => {});
    throw error;
  }
  return warehouse;
}
