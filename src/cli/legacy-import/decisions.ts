/** What became of a legacy row: imported as a target row, or rejected with a reason. */
export type Decision = { type: string; targetId: string; workflowId?: string } | { type: string; rejected: string };

export type Resolution = { ok: true; decision: Extract<Decision, { targetId: string }> } | { ok: false; problem: string };

/**
 * The fate of every legacy id the import knows of: rows imported by earlier runs (from the
 * ledger), rows decided in this run, and the ids present in the source (by type). References
 * resolve through it; rows are decided in dependency order, so a reference always names a row
 * already decided, or one that is nowhere.
 */
export class Decisions {
  private readonly decided = new Map<string, Decision>();

  constructor(private readonly inSource: ReadonlyMap<string, string> = new Map()) {}

  imported(legacyId: string, type: string, targetId: string, workflowId?: string): void {
    this.decided.set(legacyId, workflowId === undefined ? { type, targetId } : { type, targetId, workflowId });
  }

  rejected(legacyId: string, type: string, reason: string): void {
    this.decided.set(legacyId, { type, rejected: reason });
  }

  get(legacyId: string): Decision | undefined {
    return this.decided.get(legacyId);
  }

  /** The target row a legacy id names, or why it names none (a field path leads the message). */
  resolve(field: string, legacyId: string, expectedType: string): Resolution {
    const decision = this.decided.get(legacyId);
    const type = decision?.type ?? this.inSource.get(legacyId);
    const name = JSON.stringify(legacyId);
    if (type === undefined) return { ok: false, problem: `${field}: legacy id ${name} is neither imported nor in this source` };
    if (type !== expectedType) return { ok: false, problem: `${field}: legacy row ${name} is ${article(type)}, not ${article(expectedType)}` };
    if (decision === undefined) return { ok: false, problem: `${field}: legacy row ${name} is not imported yet` };
    if ('rejected' in decision) return { ok: false, problem: `${field}: legacy row ${name} was rejected` };
    return { ok: true, decision };
  }
}

function article(type: string): string {
  if (type === '') return 'a row without a type';
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
