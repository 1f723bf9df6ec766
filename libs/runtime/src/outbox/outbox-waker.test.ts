import { InProcessEventBus } from '@hivebase/platform';
import { describe, expect, it } from 'vitest';
import { OUTBOX_WAKE, OutboxWaker, WAKE_SPACING_MS } from './outbox-waker';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OutboxWaker', () => {
  it('sends at most one wake per spacing under a stream of commits, and one after the last', async () => {
    const bus = new InProcessEventBus();
    const heard: number[] = [];
    await bus.subscribe(OUTBOX_WAKE, () => void heard.push(performance.now()));
    const waker = new OutboxWaker(bus);

    const started = performance.now();
    let lastCommit = started;
    while (performance.now() - started < 60) {
      waker.wake();
      lastCommit = performance.now();
      await sleep(1);
    }
    const streamed = lastCommit - started;
    await sleep(4 * WAKE_SPACING_MS);

    // Every wake after the first waits out the spacing; the clock's grain allows one more.
    expect(heard.length).toBeGreaterThanOrEqual(2);
    expect(heard.length).toBeLessThanOrEqual(Math.ceil(streamed / WAKE_SPACING_MS) + 1);
    expect(heard.at(-1)).toBeGreaterThanOrEqual(lastCommit);
    await bus.close();
  });

  it('sends a lone commit’s wake once', async () => {
    const bus = new InProcessEventBus();
    const heard: number[] = [];
    await bus.subscribe(OUTBOX_WAKE, () => void heard.push(1));
    new OutboxWaker(bus).wake();
    await sleep(4 * WAKE_SPACING_MS);
    expect(heard).toHaveLength(1);
    await bus.close();
  });
});
