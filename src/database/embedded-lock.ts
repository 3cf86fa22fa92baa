import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the embedded database. */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: number,
  ) {
    super(`The embedded database in ${dataDir} is in use by process ${holder}: stop it, or point DATABASE_URL at PostgreSQL`);
  }
}

/**
 * PGlite must be opened by one process at a time: a second instance on the same directory
 * corrupts it. This pid lock file turns that mistake into a clear refusal.
 */
export class EmbeddedDatabaseLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): EmbeddedDatabaseLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'agent-ledger.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new EmbeddedDatabaseLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(path, 'utf8').trim());
        if (holder && holder !== process.pid && isAlive(holder)) {
          throw new EmbeddedDatabaseInUseError(dataDir, holder);
        }
        rmSync(path, { force: true }); // left behind by a process that died
      }
    }
    throw new Error(`Could not lock the embedded database in ${dataDir}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
