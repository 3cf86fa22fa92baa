import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/database.config';
import { buildDataSourceOptions, EmbeddedDatabase, EntityList, openEmbeddedDatabase } from './data-source-options';

/** A DataSource that also closes the PGlite instance (and releases its lock) it runs on. */
class EmbeddedDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly embedded: EmbeddedDatabase,
  ) {
    super(options);
  }

  override async initialize(): Promise<this> {
    try {
      return await super.initialize();
    } catch (error) {
      await this.embedded.close();
      throw error;
    }
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.embedded.close();
    }
  }
}

/** Creates (not initialises) a data source for either profile, mapping `entities`. */
export function createDataSource(config: DatabaseConfig, entities: EntityList, overrides: Partial<DataSourceOptions> = {}): DataSource {
  if (config.profile === 'server') {
    return new DataSource({ ...buildDataSourceOptions(config, entities), ...overrides } as DataSourceOptions);
  }
  const embedded = openEmbeddedDatabase(config.dataDir);
  return new EmbeddedDataSource({ ...buildDataSourceOptions(config, entities, embedded), ...overrides } as DataSourceOptions, embedded);
}
