import { describe, expect, it } from 'vitest';
import { freshRun } from './fresh-run';

/** A run that counts its starts and finishes only when the test says so. */
function controlledRun() {
  const finishers: (() => void)[] = [];
  let starts = 0;
  const run = () =>
    new Promise<void>((resolve) => {
      starts++;
      finishers.push(resolve);
    });
  return { run, starts: () => starts, finish: (at: number) => finishers[at]() };
}

const settle = () => new Promise((done) => setImmediate(done));

describe('freshRun', () => {
  it('runs at once when idle, and a later caller does not reuse a finished run', async () => {
    const controlled = controlledRun();
    const check = freshRun(controlled.run);
    const first = check();
    controlled.finish(0);
    await first;
    const second = check();
    expect(controlled.starts()).toBe(2);
    controlled.finish(1);
    await second;
  });

  it('makes callers that arrive during a run wait for one fresh run, shared by all of them', async () => {
    const controlled = controlledRun();
    const check = freshRun(controlled.run);
    let firstDone = false;
    let laterDone = 0;
    void check().then(() => (firstDone = true));
    const later = [check(), check(), check()];
    for (const waiting of later) void waiting.then(() => laterDone++);
    controlled.finish(0);
    await settle();
    // The run that was going when they called may have read too early: they wait for the next.
    expect(firstDone).toBe(true);
    expect(laterDone).toBe(0);
    expect(controlled.starts()).toBe(2);
    controlled.finish(1);
    await Promise.all(later);
    expect(controlled.starts()).toBe(2);
  });

  it('still runs again for the waiters when the run they waited behind failed', async () => {
    let calls = 0;
    const check = freshRun(async () => {
      calls++;
      if (calls === 1) throw new Error('database hiccup');
    });
    const first = check();
    const second = check();
    await expect(first).rejects.toThrow('database hiccup');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
