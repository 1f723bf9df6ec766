import { describe, expect, it } from 'vitest';
import { LogBatcher } from './log-batcher';
import type { LogEntry } from './request-log';

const entry = (id: string): LogEntry => ({ id, created: '', level: 0, message: '', data: {} });

describe('LogBatcher', () => {
  it('sends full batches at once and the rest on drain', async () => {
    const batches: string[][] = [];
    const batcher = new LogBatcher<LogEntry>({
      flush: async (entries) => void batches.push(entries.map((e) => e.id)),
      maxBatch: 2,
      maxWaitMs: 60_000,
    });
    for (const id of ['a', 'b', 'c']) batcher.push(entry(id));
    expect(batches).toEqual([['a', 'b']]);
    await batcher.drain();
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('drops over the pending cap and counts failed batches as dropped', async () => {
    const batcher = new LogBatcher({
      flush: async () => {
        throw new Error('queue down');
      },
      maxBatch: 10,
      maxPending: 2,
      maxWaitMs: 60_000,
    });
    for (const id of ['a', 'b', 'c']) batcher.push(entry(id));
    expect(batcher.dropped).toBe(1);
    await batcher.drain();
    expect(batcher.dropped).toBe(3);
  });
});
