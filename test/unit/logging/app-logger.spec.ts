import { Writable } from 'node:stream';
import pino from 'pino';
import { AppLogger } from '../../../src/common/logging/app-logger';

/** An AppLogger over pino at `level`, and the JSON lines it wrote. */
function capture(level: string): { logger: AppLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new AppLogger(pino({ level }, sink)), lines };
}

describe('AppLogger (Nest logger calls written by pino)', () => {
  it("names the call's context and keeps the message", () => {
    const { logger, lines } = capture('info');
    logger.log('agent-ledger listening on http://127.0.0.1:3000', 'Main');
    logger.warn('Authentication is off', 'Main');
    expect(lines).toMatchObject([
      { level: 30, context: 'Main', msg: 'agent-ledger listening on http://127.0.0.1:3000' },
      { level: 40, context: 'Main', msg: 'Authentication is off' },
    ]);
  });

  it("moves Nest's start-up chatter to debug, where LOG_LEVEL=debug shows it again", () => {
    const quiet = capture('info');
    quiet.logger.log('Mapped {/api/v1/agents, POST} route', 'RouterExplorer');
    quiet.logger.log('AgentsModule dependencies initialized', 'InstanceLoader');
    expect(quiet.lines).toEqual([]);
    const verbose = capture('debug');
    verbose.logger.log('Mapped {/api/v1/agents, POST} route', 'RouterExplorer');
    expect(verbose.lines).toMatchObject([{ level: 20, context: 'RouterExplorer', msg: 'Mapped {/api/v1/agents, POST} route' }]);
  });

  it('keeps the stack of an error, whether Nest passes it as a string or as the error itself', () => {
    const { logger, lines } = capture('info');
    logger.error('Shutdown failed', 'Error: boom\n    at here', 'Main');
    logger.error(new Error('connection refused'), 'Outbox');
    expect(lines[0]).toMatchObject({ level: 50, context: 'Main', msg: 'Shutdown failed', err: { stack: 'Error: boom\n    at here' } });
    expect(lines[1]).toMatchObject({ level: 50, context: 'Outbox', msg: 'connection refused', err: { message: 'connection refused' } });
    expect(String((lines[1].err as { stack: string }).stack)).toContain('connection refused');
  });

  it('writes nothing below its level and merges an object message into the line', () => {
    const { logger, lines } = capture('warn');
    logger.log('not shown', 'Main');
    logger.debug('not shown either', 'Main');
    logger.warn({ msg: 'slow collector', collector: 'queue_jobs' }, 'Metrics');
    expect(lines).toEqual([expect.objectContaining({ level: 40, context: 'Metrics', msg: 'slow collector', collector: 'queue_jobs' })]);
  });

  it('keeps the message that follows an object of fields, as `logger.warn(fields, message)` passes it', () => {
    const { logger, lines } = capture('info');
    logger.warn({ recordId: 'r1', correlationId: 'c1' }, 'Skipped service call r1: no handler for nobody/unknown.thing@3', 'OutboxPersister');
    logger.error({ err: new Error('boom'), tenantId: 't1' }, 'An event stream failed', 'EventStreams');
    expect(lines[0]).toMatchObject({
      level: 40,
      context: 'OutboxPersister',
      recordId: 'r1',
      correlationId: 'c1',
      msg: 'Skipped service call r1: no handler for nobody/unknown.thing@3',
    });
    expect(lines[1]).toMatchObject({ level: 50, context: 'EventStreams', tenantId: 't1', msg: 'An event stream failed', err: { message: 'boom' } });
  });
});
