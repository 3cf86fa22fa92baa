import { Decisions } from './decisions';
import { Ledger } from './ledger';
import { LegacySource } from './sources/legacy-source';
import { orderTasks, taskReferences } from './task-order';

export interface Rejection {
  legacyId: string;
  type: string;
  reason: string;
}

/** What an import has to do, worked out from one scan of the source and the ledger. */
export interface ImportPlan {
  /** Rows in the source. */
  total: number;
  /** Rows by type (`''` for rows without one). */
  read: Map<string, number>;
  alreadyImported: Map<string, number>;
  /** Known type → legacy ids still to import, in the order to import them. */
  pending: Map<string, string[]>;
  /** Rows rejected before any data is read: unknown types, task cycles, a type changed since its import. */
  rejections: Rejection[];
  decisions: Decisions;
}

const SCAN_PAGE = 10_000;

/**
 * Scans the source once (ids and types; the data of tasks only) against the ledger: rows
 * imported before are skipped without reading their data, rows of unknown types are rejected,
 * and tasks are ordered so that a parent or a dependency is always imported before the task
 * that names it.
 */
export async function planImport(source: LegacySource, ledger: Ledger, knownTypes: readonly string[]): Promise<ImportPlan> {
  const inSource = new Map<string, string>();
  const decisions = new Decisions(inSource);
  await ledger.loadInto(decisions);
  const plan: ImportPlan = {
    total: 0,
    read: new Map(),
    alreadyImported: new Map(),
    pending: new Map(knownTypes.map((type) => [type, []])),
    rejections: [],
    decisions,
  };
  const taskRefs = new Map<string, string[]>();
  const reject = (legacyId: string, type: string, reason: string) => {
    plan.rejections.push({ legacyId, type, reason });
    decisions.rejected(legacyId, type, reason);
  };

  for await (const page of source.scan(SCAN_PAGE, new Set(['task']))) {
    for (const row of page) {
      const type = row.type ?? '';
      inSource.set(row.id, type);
      plan.total++;
      plan.read.set(type, (plan.read.get(type) ?? 0) + 1);
      const earlier = decisions.get(row.id);
      if (earlier && 'targetId' in earlier) {
        if (earlier.type === type) plan.alreadyImported.set(type, (plan.alreadyImported.get(type) ?? 0) + 1);
        else
          plan.rejections.push({
            legacyId: row.id,
            type,
            reason: `it was imported as ${earlier.type} ${earlier.targetId} and its type is now ${JSON.stringify(type)}`,
          });
        continue;
      }
      const pending = plan.pending.get(type);
      if (!pending) {
        reject(row.id, type, type === '' ? 'it has no type' : `unknown type ${JSON.stringify(type)} (known: ${knownTypes.join(', ')})`);
        continue;
      }
      pending.push(row.id);
      if (type === 'task') taskRefs.set(row.id, taskReferences(row.data));
    }
  }

  const tasks = plan.pending.get('task');
  if (tasks && tasks.length > 0) {
    const { order, cycles } = orderTasks(tasks, taskRefs);
    for (const [id, cycle] of cycles) {
      reject(id, 'task', `parentTaskId and dependsOn make a cycle: ${cycle.map((step) => JSON.stringify(step)).join(' → ')}`);
    }
    plan.pending.set('task', order);
  }
  return plan;
}
