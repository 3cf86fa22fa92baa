import { readFileSync } from 'node:fs';
import semver from 'semver';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };

/** The oldest Node the project says it runs on (package.json engines): every installed package must accept it. */
const oldestSupported = semver.minVersion(manifest.engines.node)!.version;

describe('installed packages and the Node versions the project supports', () => {
  it('holds no package that refuses the oldest supported Node (npm install would print engine warnings)', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path.startsWith('node_modules/'))
      .flatMap(([path, locked]) => {
        const range = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
        return range && !semver.satisfies(oldestSupported, range) ? [`${path.replace(/^.*node_modules\//, '')}@${locked.version} wants node ${range}`] : [];
      });
    expect(refusing).toEqual([]);
  });

  it('runs on the Node it is tested with', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });
});
