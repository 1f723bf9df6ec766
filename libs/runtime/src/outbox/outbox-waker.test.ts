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
    await sleep(4 * WAKE_SPACING_MS);

    // After the first, a wake goes only once the spacing since the one before has passed (timers
    // count from the event loop's clock, never later than the wall's): at most one per spacing
    // between the first commit and the last wake heard, plus the first.
    const lastHeard = heard.at(-1) as number;
    expect(heard.length).toBeGreaterThanOrEqual(2);
    expect(heard.length).toBeLessThanOrEqual(Math.ceil((lastHeard - started) / WAKE_SPACING_MS) + 2);
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
