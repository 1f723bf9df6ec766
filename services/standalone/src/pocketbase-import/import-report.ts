/** What the import could not carry: an `error` is data lost to the import, a `skipped` one by design. */
export interface ImportProblem {
  severity: 'error' | 'skipped';
  /** `collection posts`, `record posts/abc…`, `file posts/abc…/a.png`, `settings smtp`… */
  subject: string;
  reason: string;
}

export interface CollectionRecordCounts {
  /** Rows in PocketBase's table. */
  source: number;
  /** Copied by this run. */
  inserted: number;
  /** Already in Hivebase (same id), left as they are. */
  present: number;
  failed: number;
}

/** The outcome of one `hivebase import pocketbase` run. */
export interface ImportReport {
  collections: { created: string[]; updated: string[]; unchanged: string[] };
  records: Record<string, CollectionRecordCounts>;
  files: { copied: number; present: number; failed: number };
  settings: 'imported' | 'unchanged' | 'skipped';
  problems: ImportProblem[];
}

/** Problems of one kind listed one by one up to this many; the rest are counted. */
const LISTED_PER_SUBJECT_KIND = 20;

export function emptyReport(): ImportReport {
  return {
    collections: { created: [], updated: [], unchanged: [] },
    records: {},
    files: { copied: 0, present: 0, failed: 0 },
    settings: 'skipped',
    problems: [],
  };
}

/** Whether the run left data behind (not counting what is skipped by design). */
export const hasErrors = (report: ImportReport): boolean => report.problems.some((p) => p.severity === 'error');

/** The report as the CLI prints it: counts first, then everything not carried, with reasons. */
export function formatReport(report: ImportReport): string {
  const lines: string[] = [];
  const { created, updated, unchanged } = report.collections;
  lines.push(
    `collections: ${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged`,
    ...[...created.map((name) => `  + ${name}`), ...updated.map((name) => `  ~ ${name}`)],
  );
  const counts = Object.entries(report.records);
  const total = counts.reduce(
    (sum, [, c]) => ({
      inserted: sum.inserted + c.inserted,
      present: sum.present + c.present,
      failed: sum.failed + c.failed,
    }),
    { inserted: 0, present: 0, failed: 0 },
  );
  lines.push(`records: ${total.inserted} copied, ${total.present} already present, ${total.failed} failed`);
  for (const [name, c] of counts) {
    lines.push(`  ${name}: ${c.source} in PocketBase, ${c.inserted} copied, ${c.present} present, ${c.failed} failed`);
  }
  const { files } = report;
  lines.push(`files: ${files.copied} copied, ${files.present} already present, ${files.failed} failed`);
  lines.push(`settings: ${report.settings}`);
  if (report.problems.length > 0) {
    lines.push('', 'not carried:');
    const shown = new Map<string, number>();
    for (const problem of report.problems) {
      const kind = `${problem.severity} ${problem.subject.split(' ')[0]}`;
      const seen = shown.get(kind) ?? 0;
      shown.set(kind, seen + 1);
      if (seen < LISTED_PER_SUBJECT_KIND) lines.push(`  [${problem.severity}] ${problem.subject}: ${problem.reason}`);
    }
    for (const [kind, seen] of shown) {
      if (seen > LISTED_PER_SUBJECT_KIND) lines.push(`  … and ${seen - LISTED_PER_SUBJECT_KIND} more (${kind})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
