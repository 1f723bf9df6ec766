import type { RunningShape } from '../../e2e/src/support/boot-shape';

/** Where each process's output stands, to read only what a measured run logs. */
export const logMarks = (shape: RunningShape): Record<string, number> =>
  Object.fromEntries(Object.values(shape.processes).map((p) => [p.name, p.output().length]));

/** Warnings and errors the processes logged since `marks`, counted by process, level and error. */
export function serverProblems(shape: RunningShape, marks: Record<string, number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of Object.values(shape.processes)) {
    for (const line of p
      .output()
      .slice(marks[p.name] ?? 0)
      .split('\n')) {
      if (!line.trim()) continue;
      let key: string;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; message?: string } };
        if ((entry.level ?? 0) < 40) continue;
        const what = entry.err ? `${entry.err.type}: ${entry.err.message}` : entry.msg;
        key = `${p.name} ${entry.level === 40 ? 'warn' : 'error'} "${String(what).slice(0, 160)}"`;
      } catch {
        key = `${p.name} output "${line.slice(0, 160)}"`;
      }
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}
