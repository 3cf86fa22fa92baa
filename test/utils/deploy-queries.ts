import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DashboardPanel {
  title: string;
  type: string;
  targets: { expr: string }[];
}

export function readAlertRules(): AlertRule[] {
  const file = parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

export function readDashboard(): { title: string; uid: string; panels: DashboardPanel[] } {
  return JSON.parse(readFileSync('deploy/grafana/agent-ledger.json', 'utf8'));
}

/** Every PromQL expression of the alerts and of the dashboard. */
export function deployedQueries(): string[] {
  return [...readAlertRules().map((rule) => rule.expr), ...readDashboard().panels.flatMap((panel) => panel.targets.map((target) => target.expr))];
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'le', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers outside label matchers, durations,
 * grouping clauses and strings that are not function calls or keywords.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    if (match[1] || PROMQL_WORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}
