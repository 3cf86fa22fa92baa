import { loadConfig } from '../config';
import { createAppDataSource } from '../data-source';

/**
 * The data source of `npm run migration:*`: the same options as the app. Migrations are run
 * explicitly by the CLI here, never as a side effect of connecting.
 */
export default createAppDataSource(loadConfig().database, { migrationsRun: false });
