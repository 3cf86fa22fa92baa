import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The identity of the database this process works on: a random id written once by a migration
 * (`database_identity`). Queue jobs carry it, so that a worker can tell the jobs of another
 * database that shares its Redis (and key prefix) from its own, and refuse them.
 */
@Injectable()
export class DatabaseIdentity {
  private id?: Promise<string>;

  constructor(private readonly dataSource: DataSource) {}

  /** Read once per process, then cached (a failed read is tried again next time). */
  get(): Promise<string> {
    this.id ??= this.dataSource.query('SELECT id FROM database_identity').then(
      (rows: { id: string }[]) => {
        if (!rows[0]) throw new Error('database_identity is empty: run the migrations');
        return rows[0].id;
      },
      (error: unknown) => {
        this.id = undefined;
        throw error;
      },
    );
    return this.id;
  }
}
