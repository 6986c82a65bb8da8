import { defaultInventoryPath } from '../../fleet/inventory/index.js';

/** The --inventory option as every fleet command spells it. */
export const inventoryOption = ['--inventory <db>', `SQLite inventory (default ${defaultInventoryPath()})`] as const;
