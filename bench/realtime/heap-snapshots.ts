import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Live JS heap of a running process, from heap snapshots it writes on SIGUSR2 (V8 collects all
 * garbage before a snapshot, so two of them measure what is retained, which RSS does not: RSS
 * keeps uncollected garbage and the heap's free space).
 */
export const heapSnapshotArgs = (dir: string): string[] => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Signals `pid` for a snapshot into `dir`, waits until it is written, sums it and deletes it. */
export async function liveHeapBytes(pid: number, dir: string): Promise<number> {
  // Node names them Heap.<date>.<time>.<pid>.<thread>.<seq>.heapsnapshot.
  const snapshots = () =>
    readdirSync(dir).filter((name) => name.includes(`.${pid}.`) && name.endsWith('.heapsnapshot'));
  const before = new Set(snapshots());
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let size = -1;
  for (let waited = 0; waited < 120_000; waited += 500) {
    await sleep(500);
    file ??= snapshots().find((name) => !before.has(name));
    if (!file) continue;
    // Written in one go by the process: done once its size stops moving and it parses.
    const now = statSync(join(dir, file)).size;
    if (now === size && now > 0) break;
    size = now;
  }
  if (!file) throw new Error(`process ${pid} wrote no heap snapshot`);
  const path = join(dir, file);
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
  };
  rmSync(path);
  const fields = snapshot.snapshot.meta.node_fields;
  const selfSize = fields.indexOf('self_size');
  let total = 0;
  for (let at = selfSize; at < snapshot.nodes.length; at += fields.length) total += snapshot.nodes[at];
  return total;
}
