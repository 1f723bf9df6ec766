import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RunningShape } from '../../e2e/src/support/boot-shape';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU seconds a process has used so far, from Linux's `/proc/<pid>/stat`. */
function processCpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** CPU seconds each process of a shape has used so far, by process name. */
export function shapeCpu(shape: RunningShape): Record<string, number> {
  return Object.fromEntries(
    Object.values(shape.processes).map((p) => [p.name, p.child.pid ? processCpuSeconds(p.child.pid) : 0]),
  );
}

/** What each process used between two {@link shapeCpu} readings. */
export const cpuBetween = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]));

/** Runs `work` and returns its result with the CPU seconds this process (every thread) used meanwhile. */
export async function withOwnCpu<T>(work: () => Promise<T>): Promise<[T, number]> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return [result, (used.user + used.system) / 1e6];
}

/**
 * Waits until the shape's processes are nearly idle (under a quarter of one core over 250 ms),
 * at most `timeoutMs`. Requests a load run abandons at its end are still being worked on (a
 * queued sign-in still runs its bcrypt comparison), and must not be billed to the next run.
 */
export async function waitUntilIdle(shape: RunningShape, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = shapeCpu(shape);
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 250));
    const now = shapeCpu(shape);
    const used = Object.values(cpuBetween(before, now)).reduce((sum, seconds) => sum + seconds, 0);
    if (used < 0.25 * 0.25) return;
    before = now;
  }
}
