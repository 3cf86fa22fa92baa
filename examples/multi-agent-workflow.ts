/**
 * A multi-agent workflow through @agent-ledger/client.
 *
 * A planner registers a team, plans three tasks (the report waits for two research tasks) and
 * subscribes to the report's events. Two researchers race to claim the research tasks (a claim is an
 * update guarded by If-Match: the loser gets VersionConflictError and moves on), complete them and
 * message the writer. The writer waits until its task may start, reads its messages, and hands its
 * report to the outbox as a `core/task.result@1` result (and a finding as `knowledge/insight@1`).
 * The planner learns from its subscription that the report is done and closes the workflow.
 *
 *   npm run example          # against AGENT_LEDGER_URL (default http://127.0.0.1:3000), key AGENT_LEDGER_API_KEY
 */
import { AgentLedgerClient, type Agent, type DomainEvent, type Task, TaskBlockedError, VersionConflictError } from '@agent-ledger/client';

const client = new AgentLedgerClient();
const run = Date.now().toString(36);
const log = (who: string, text: string) => console.log(`[${who}] ${text}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  // 1. The planner registers itself and its team.
  const register = (name: string, role: string) => client.post('/api/v1/agents', { body: { name: `${name}-${run}`, role } });
  const [planner, ada, bob, wendy] = await Promise.all([
    register('planner', 'planner'),
    register('ada', 'researcher'),
    register('bob', 'researcher'),
    register('wendy', 'writer'),
  ]);
  log('planner', `registered ${[planner, ada, bob, wendy].map((agent) => agent.name).join(', ')}`);

  // 2. It plans the work: one workflow, three tasks in one request; the report depends on both research tasks.
  const workflow = await client.post('/api/v1/workflows', {
    body: { description: 'A short report on solid-state batteries', input: { topic: 'solid-state batteries' } },
  });
  await client.update('/api/v1/workflows/{id}', { id: workflow.id }, () => ({ status: 'running' }));
  const { items: tasks } = await client.post('/api/v1/tasks/bulk', {
    body: {
      items: [
        { ref: 'sources', workflowId: workflow.id, description: 'Collect recent sources', input: { limit: 3 } },
        { ref: 'figures', workflowId: workflow.id, description: 'Collect energy-density figures' },
        { ref: 'report', workflowId: workflow.id, agentId: wendy.id, description: 'Write the report', dependsOn: ['sources', 'figures'] },
      ],
    },
  });
  const report = tasks.find((task) => task.ref === 'report')!;
  log('planner', `planned ${tasks.length} tasks; the report waits for ${report.dependsOn.length}`);

  // 3. Before anyone works, the planner subscribes to the report's events: no polling, nothing missed.
  const reportDone = whenTaskEnds(report.id);

  // 4. The workers run side by side.
  await Promise.all([research(ada, workflow.id, wendy), research(bob, workflow.id, wendy), write(wendy, report)]);

  // 5. Told by its subscription, the planner reads the result and closes the workflow.
  const ended = await reportDone;
  const done = await client.get('/api/v1/tasks/{id}', { params: { id: report.id } });
  log('planner', `event ${ended.type} (${ended.id}): the report is ${done.status}`);
  await client.update('/api/v1/workflows/{id}', { id: workflow.id }, () => ({ status: 'completed', output: done.output ?? {} }));
  log('planner', `workflow ${workflow.id} completed`);
}

/** Resolves with the event that tells the task reached a final state. */
function whenTaskEnds(taskId: string): Promise<DomainEvent> {
  return new Promise((resolve, reject) => {
    const subscription = client.events.subscribe(
      'task.*',
      (event) => {
        const to = (event.payload as { to?: string }).to;
        if (event.type !== 'task.status_changed' || (to !== 'completed' && to !== 'failed')) return;
        resolve(event);
        void subscription.close();
      },
      { aggregateId: taskId },
    );
    subscription.done.catch(reject);
    setTimeout(() => reject(new Error('No result after 60 s: is a worker process running?')), 60_000).unref();
  });
}

/** A researcher claims open research tasks one by one until none is left. */
async function research(agent: Agent, workflowId: string, writer: Agent): Promise<void> {
  for (;;) {
    const { items } = await client.get('/api/v1/tasks', { query: { workflowId, status: 'pending' } });
    const open = items.filter((task) => task.agentId === null && task.dependsOn.length === 0);
    if (open.length === 0) return;
    for (const task of open) {
      const claimed = await claim(task, agent);
      if (!claimed) continue;
      const findings = { task: task.description, by: agent.name, notes: [`${agent.name}'s notes on "${task.description}"`] };
      // The message goes first: once the task is completed, the writer may start and read its inbox.
      await client.post('/api/v1/messages', {
        body: { fromAgentId: agent.id, toAgentId: writer.id, taskId: task.id, type: 'findings', content: findings },
      });
      await client.patch('/api/v1/tasks/{id}', {
        params: { id: task.id },
        version: claimed.version,
        body: { status: 'completed', output: findings, durationMs: 120 },
      });
      log(agent.name, `sent the findings on "${task.description}" to ${writer.name} and completed the task`);
    }
  }
}

/** Takes a task if nobody did meanwhile: the update carries the version read, so only one claim wins. */
async function claim(task: Task, agent: Agent): Promise<Task | undefined> {
  try {
    return await client.patch('/api/v1/tasks/{id}', { params: { id: task.id }, version: task.version, body: { status: 'running', agentId: agent.id } });
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    log(agent.name, `"${task.description}" was taken by someone else`);
    return undefined;
  }
}

/** The writer starts once its dependencies completed, reads its messages, and hands the report to the outbox. */
async function write(agent: Agent, task: Task): Promise<void> {
  const started = Date.now();
  let current = task;
  for (;;) {
    try {
      current = await client.patch('/api/v1/tasks/{id}', { params: { id: task.id }, version: current.version, body: { status: 'running' } });
      break;
    } catch (error) {
      // 409 TASK_BLOCKED: a task it depends on has not completed yet (error.blockedBy names them).
      if (!(error instanceof TaskBlockedError)) throw error;
      await pause(200);
      current = await client.get('/api/v1/tasks/{id}', { params: { id: task.id } });
    }
  }
  log(agent.name, 'the research is done: writing');

  const { items: inbox } = await client.get('/api/v1/agents/{id}/messages', { params: { id: agent.id }, query: { direction: 'in' } });
  const notes: string[] = [];
  for (const message of inbox) {
    notes.push(...((message.content as { notes?: string[] }).notes ?? []));
    for (const status of ['received', 'processed'] as const) {
      await client.update('/api/v1/messages/{id}', { id: message.id }, () => ({ status }));
    }
  }

  // The result goes through the outbox: stored at once (202), persisted exactly once by its handler.
  const result = await client.submitResult({
    callId: `report-${task.id}`,
    namespace: 'core',
    schema: 'task.result@1',
    result: { taskId: task.id, status: 'completed', output: { title: 'Solid-state batteries', notes }, durationMs: Date.now() - started },
  });
  log(agent.name, `handed the report to the outbox (${result.status})`);

  const insight = await client.submitResult({
    callId: `insight-${task.id}`,
    namespace: 'knowledge',
    schema: 'insight@1',
    result: { summary: 'Two researchers sufficed', domain: 'planning', confidence: 0.7, content: notes.join('\n') },
  });
  const persisted = await client.waitForPersisted(insight);
  log(agent.name, `insight persisted as ${persisted.domainObjects.map((object) => `${object.type} ${object.id}`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
