import { existsSync, readFileSync, statSync } from 'node:fs';
import { LegacyMapping, LegacyMappingError, parseMapping } from './legacy-mapping';
import { ORION_MAPPING } from './orion.mapping';

/** The mappings that ship with the CLI, by the name `--mapping` takes. */
export const SHIPPED_MAPPINGS: Record<string, unknown> = { orion: ORION_MAPPING };

/** `--mapping <name|file.json>`: a shipped mapping by name, else a JSON file; checked either way. */
export function loadMapping(nameOrFile: string): LegacyMapping {
  const shipped = SHIPPED_MAPPINGS[nameOrFile];
  if (shipped !== undefined) return parseMapping(shipped, nameOrFile);
  if (!existsSync(nameOrFile) || !statSync(nameOrFile).isFile()) {
    throw new LegacyMappingError(`--mapping ${nameOrFile}: no shipped mapping of that name (${Object.keys(SHIPPED_MAPPINGS).join(', ')}) and no such file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrFile, 'utf8'));
  } catch (error) {
    throw new LegacyMappingError(`mapping ${nameOrFile}: not valid JSON (${(error as Error).message})`);
  }
  return parseMapping(json, nameOrFile);
}
