import { spawnSync } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { closestWord } from '../../src/cli/args';
import { runCli } from '../utils/cli-process';

describe('the command line', () => {
  it('names the closest command for a mistyped one and exits 2', async () => {
    const run = await runCli(['api-kyes', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "api-kyes"; did you mean "api-keys"?');
  });

  it('prints its usage and exits 0 when asked for help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: npm run cli -- <command>');
  });

  it('suggests nothing for a word far from every command', () => {
    expect(closestWord('frobnicate', ['api-keys', 'copy-data', 'import-legacy'])).toBeUndefined();
    expect(closestWord('copydata', ['api-keys', 'copy-data', 'import-legacy'])).toBe('copy-data');
  });

  it('npm run cli does not recompile when the build is newer than every source', () => {
    // The global set-up has just built dist/; make the build look newer than any source file.
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(process.cwd(), 'dist/cli/main.js'), future, future);
    const run = spawnSync(process.execPath, ['scripts/cli.mjs', '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('Compiling');
    expect(run.stdout).toContain('usage: npm run cli -- <command>');
  });
});
