import { loadConfig } from '../config';
import { createDataSource } from '../database/create-data-source';
import { API_KEYS_USAGE, apiKeysCommand } from './api-keys.command';
import { parseArgs } from './args';

const USAGE = `usage: npm run cli -- <command>

${API_KEYS_USAGE}

The database is the one the server uses: DATABASE_URL, or the embedded one in DATA_DIR.`;

async function main(): Promise<number> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const [group, ...rest] = positionals;
  if (group !== 'api-keys') {
    console.log(USAGE);
    return group === undefined || flags.help ? 0 : 2;
  }
  const dataSource = createDataSource(loadConfig().database, { logging: ['error'] });
  await dataSource.initialize();
  try {
    return await apiKeysCommand(dataSource, rest, flags, (line) => console.log(line));
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
