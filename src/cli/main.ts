import { loadConfig } from '../config';
import { createAppDataSource } from '../data-source';
import { API_KEYS_USAGE, apiKeysCommand } from './api-keys.command';
import { closestWord, parseArgs } from './args';
import { COPY_DATA_USAGE, copyDataCommand } from './copy-data/copy-data.command';
import { DEAD_LETTERS_USAGE } from './dead-letters.usage';
import { IMPORT_LEGACY_USAGE } from './legacy-import/legacy-import.usage';

const USAGE = `usage: npm run cli -- <command>

${API_KEYS_USAGE}
${DEAD_LETTERS_USAGE}
${COPY_DATA_USAGE}

${IMPORT_LEGACY_USAGE}

api-keys, dead-letters and import-legacy use the database the server uses: DATABASE_URL, or the embedded one in DATA_DIR;
dead-letters also its Redis (REDIS_URL, QUEUE_PREFIX), so that the workers pick up what it redrives.`;

const COMMANDS = ['api-keys', 'copy-data', 'dead-letters', 'import-legacy'] as const;

async function main(): Promise<number> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const [group, ...rest] = positionals;
  if (group === 'copy-data')
    return copyDataCommand(
      rest,
      flags,
      (line) => console.log(line),
      (line) => console.error(line),
    );
  if (group === 'import-legacy') {
    // Loaded on demand: it brings every DTO of the API along.
    const { importLegacyCommand } = await import('./legacy-import/legacy-import.command.js');
    return importLegacyCommand(rest, flags, loadConfig(), { out: (line) => console.log(line), err: process.stderr });
  }
  if (group === 'dead-letters') {
    if (flags.help) {
      console.log(DEAD_LETTERS_USAGE);
      return 0;
    }
    // Loaded on demand: it boots the application's modules (without HTTP).
    const { deadLettersCommand } = await import('./dead-letters.command.js');
    return deadLettersCommand(
      rest,
      flags,
      (line) => console.log(line),
      (line) => console.error(line),
    );
  }
  if (group === undefined || group === 'help' || (flags.help && group !== 'api-keys')) {
    console.log(USAGE);
    return 0;
  }
  if (group !== 'api-keys') {
    const meant = closestWord(group, COMMANDS);
    console.error(`agent-ledger cli: unknown command "${group}"${meant ? `; did you mean "${meant}"?` : ''} (commands: ${COMMANDS.join(', ')})`);
    return 2;
  }
  const config = loadConfig();
  const dataSource = createAppDataSource(config.database, { logging: ['error'] });
  await dataSource.initialize();
  try {
    return await apiKeysCommand(dataSource, rest, flags, (line) => console.log(line), config);
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`agent-ledger cli: ${error.message}`);
    process.exit(1);
  },
);
