import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';

/**
 * Says at start-up when the service's database role bypasses row-level security (a superuser,
 * a BYPASSRLS role, or the owner of the tables): tenant isolation then rests on the application's
 * own scoping alone. The embedded profile always runs as PGlite's superuser, so it says nothing.
 */
@Injectable()
export class RowLevelSecurityCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.profile !== 'server') return;
    const [role] = await this.dataSource.query(
      `SELECT current_user AS name, r.rolsuper OR r.rolbypassrls OR pg_get_userbyid(c.relowner) = current_user AS bypasses
       FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('public.agents')
       WHERE r.rolname = current_user`,
    );
    if (role?.bypasses) {
      this.logger.warn(
        `Connected as "${role.name}", which bypasses row-level security: tenant isolation rests on the application alone. ` +
          'Connect as a role that does not own the tables (README, "Database roles").',
      );
    }
  }
}
