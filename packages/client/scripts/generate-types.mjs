// Writes openapi.json (the document the current server code produces) and src/generated/openapi.ts
// (its types, by openapi-typescript). Neither is committed: the client is always built against the
// contract of the code beside it, so a change to the API that breaks the client breaks the build.
//
// The document is built by the server's own createApp() from the compiled server (`npm run build`
// at the repository root), in Nest's preview mode: modules and routes are resolved, no provider is
// instantiated, so no database or Redis is needed and nothing is started.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryDir = resolve(packageDir, '../..');
const compiledApp = join(repositoryDir, 'dist/create-app.js');

async function serverDocument() {
  if (!existsSync(compiledApp)) {
    throw new Error(`${compiledApp} is missing: run \`npm run build\` at the repository root first`);
  }
  // The server reads its settings from the environment: a fixed, self-contained set, so the
  // document does not depend on the shell this runs in.
  for (const name of Object.keys(process.env)) if (!['PATH', 'HOME', 'NODE_OPTIONS'].includes(name)) delete process.env[name];
  // No rate limit: in preview mode the limiter does not exist to count the request for /docs-json.
  Object.assign(process.env, {
    APP_ROLE: 'api',
    AUTH: 'off',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_ENABLED: 'false',
    DATA_DIR: join(packageDir, '.no-data'),
  });

  const require = createRequire(compiledApp);
  const { NestFactory } = require('@nestjs/core');
  const create = NestFactory.create.bind(NestFactory);
  NestFactory.create = (module, adapter, options) => create(module, adapter, { ...options, preview: true });
  const { createApp } = require(compiledApp);
  const app = await createApp();
  try {
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
    if (response.statusCode !== 200) throw new Error(`GET /docs-json answered ${response.statusCode}: ${response.body}`);
    return JSON.parse(response.body);
  } finally {
    await app.close();
  }
}

const document = await serverDocument();
writeFileSync(join(packageDir, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
// A member with a default may be left out of a request body: it is optional, not required.
const types = astToString(await openapiTS(document, { defaultNonNullable: false }));
mkdirSync(join(packageDir, 'src/generated'), { recursive: true });
writeFileSync(
  join(packageDir, 'src/generated/openapi.ts'),
  `// Generated from openapi.json by scripts/generate-types.mjs (openapi-typescript): do not edit.\n\n${types}`,
);
console.log(`@agent-ledger/client: types generated from ${Object.keys(document.paths).length} paths`);
