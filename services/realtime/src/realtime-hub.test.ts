import { describe, expect, it } from 'vitest';
import type { SseSink } from './realtime-client';
import { RealtimeHub } from './realtime-hub';

const sink = (): SseSink => ({ write: () => true, backlog: 0, close: () => undefined });

describe('RealtimeHub.subscribersOf', () => {
  it('visits list subscribers and the subscribers of that one record only', () => {
    const hub = new RealtimeHub();
    const list = hub.add('', sink(), 0);
    const byName = hub.add('', sink(), 0);
    const other = hub.add('', sink(), 0);
    const elsewhere = hub.add('', sink(), 0);
    hub.apply(list, null, ['posts/*']);
    hub.apply(byName, null, ['posts/r1?options={}']);
    hub.apply(other, null, ['posts/r2']);
    hub.apply(elsewhere, null, ['notes/*', 'notes/r1']);

    expect(new Set(hub.subscribersOf(['pbc_posts', 'posts'], 'r1'))).toEqual(new Set([list, byName]));
    expect(new Set(hub.subscribersOf(['pbc_posts', 'posts'], 'r3'))).toEqual(new Set([list]));

    // Replacing the subscriptions moves the client in the index.
    hub.apply(other, null, ['posts/r1']);
    expect(hub.subscribersOf(['posts'], 'r2').size).toBe(1);
    expect(hub.subscribersOf(['posts'], 'r1').has(other)).toBe(true);
    hub.remove(other);
    expect(hub.subscribersOf(['posts'], 'r1').has(other)).toBe(false);
  });
});
