import { afterEach, describe, expect, it, vi } from 'vitest';
import { processMetrics } from '../metrics/metrics';
import { CronExpressionError } from './cron-expression';
import { type CronLock, InProcessCronLock } from './cron-lock';
import { CronRunner } from './cron-runner';

const runners: CronRunner[] = [];
function runner(lock: CronLock = new InProcessCronLock(), timer = false): CronRunner {
  const made = new CronRunner({ lock, timer });
  runners.push(made);
  return made;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(runners.splice(0).map((made) => made.close()));
});

async function runsOf(job: string, result: string): Promise<number> {
  const metric = await processMetrics().registry.getSingleMetric('hb_cron_runs_total')?.get();
  const matching = metric?.values.filter((value) => value.labels.job === job && value.labels.result === result) ?? [];
  return matching.reduce((sum, value) => sum + value.value, 0);
}

describe('CronRunner', () => {
  it('refuses invalid expressions, empty and duplicate ids, and non-function handlers', () => {
    const cron = runner();
    expect(() => cron.add('bad', '* * *', async () => {})).toThrow(CronExpressionError);
    expect(() => cron.add('', '* * * * *', async () => {})).toThrow(RangeError);
    cron.add('job', '* * * * *', async () => {});
    expect(() => cron.add('job', '@daily', async () => {})).toThrow(/already registered/);
    expect(() => cron.add('nofn', '* * * * *', undefined as unknown as () => Promise<void>)).toThrow(TypeError);
    expect(cron.list()).toEqual([{ id: 'job', expression: '* * * * *' }]);
  });

  it('lists ids sorted, PocketBase system jobs last in the order added, macros expanded', () => {
    const cron = runner();
    for (const id of ['__pbZ__', 'b', '__pbA__', 'a', 'B', '_x']) cron.add(id, '@hourly', async () => {});
    expect(cron.list().map(({ id }) => id)).toEqual(['B', '_x', 'a', 'b', '__pbZ__', '__pbA__']);
    expect(cron.list()[0]).toEqual({ id: 'B', expression: '0 * * * *' });
  });

  it('remove() unregisters; has() reflects it; the id can then be added again', async () => {
    const cron = runner();
    const calls: string[] = [];
    cron.add('job', '* * * * *', async () => void calls.push('first'));
    expect(cron.has('job')).toBe(true);
    expect(cron.remove('job')).toBe(true);
    expect(cron.remove('job')).toBe(false);
    expect(cron.has('job')).toBe(false);
    await cron.tick(new Date('2026-01-01T00:00:00Z'));
    cron.add('job', '* * * * *', async () => void calls.push('second'));
    await cron.tick(new Date('2026-01-01T00:01:00Z'));
    expect(calls).toEqual(['second']);
  });

  it('tick() runs the jobs due that minute, once per minute', async () => {
    const cron = runner();
    const calls: string[] = [];
    cron.add('every', '* * * * *', async () => void calls.push('every'));
    cron.add('hourly', '@hourly', async () => void calls.push('hourly'));
    cron.add('at5', '5 * * * *', async () => void calls.push('at5'));
    await cron.tick(new Date('2026-01-01T10:00:00Z'));
    expect(calls.sort()).toEqual(['every', 'hourly']);
    calls.length = 0;
    // The same minute again (seconds later) runs nothing: the minute is claimed.
    await cron.tick(new Date('2026-01-01T10:00:30Z'));
    expect(calls).toEqual([]);
    await cron.tick(new Date('2026-01-01T10:05:00Z'));
    expect(calls.sort()).toEqual(['at5', 'every']);
  });

  it('a failing job is logged and counted, never thrown, and does not stop the others', async () => {
    const cron = runner();
    const calls: string[] = [];
    const errorsBefore = await runsOf('boom', 'error');
    cron.add('boom', '* * * * *', async () => {
      throw new Error('boom');
    });
    cron.add('syncBoom', '* * * * *', () => {
      throw new Error('sync boom');
    });
    cron.add('fine', '* * * * *', async () => void calls.push('fine'));
    await expect(cron.tick(new Date('2026-01-01T00:00:00Z'))).resolves.toBeUndefined();
    expect(calls).toEqual(['fine']);
    expect(await runsOf('boom', 'error')).toBe(errorsBefore + 1);
    await expect(cron.run('boom')).resolves.toBeUndefined();
    expect(await runsOf('boom', 'error')).toBe(errorsBefore + 2);
  });

  it('run() runs a job now, whatever its schedule and however often; unknown ids reject', async () => {
    const cron = runner();
    let calls = 0;
    cron.add('yearly', '@yearly', async () => void calls++);
    await cron.run('yearly');
    await cron.run('yearly');
    expect(calls).toBe(2);
    await expect(cron.run('missing')).rejects.toThrow(RangeError);
  });

  it('a claim the lock refuses or cannot answer skips the job', async () => {
    let calls = 0;
    const refusing: CronLock = { claim: async () => false, close: async () => {} };
    const broken: CronLock = {
      claim: async () => {
        throw new Error('redis down');
      },
      close: async () => {},
    };
    for (const lock of [refusing, broken]) {
      const cron = runner(lock);
      cron.add('job', '* * * * *', async () => void calls++);
      await expect(cron.tick(new Date('2026-01-01T00:00:00Z'))).resolves.toBeUndefined();
    }
    expect(calls).toBe(0);
  });

  it('close() waits for running jobs, then ticks run nothing', async () => {
    const cron = runner();
    let started = false;
    let finished = false;
    let release = () => {};
    cron.add('slow', '* * * * *', async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    });
    const ticking = cron.tick(new Date('2026-01-01T00:00:00Z'));
    await vi.waitFor(() => expect(started).toBe(true));
    const closing = cron.close();
    setTimeout(() => release(), 20);
    await closing;
    expect(finished).toBe(true);
    await ticking;
    started = false;
    await cron.tick(new Date('2026-01-01T00:01:00Z'));
    expect(started).toBe(false);
  });

  it('start() ticks at each minute boundary (UTC), with the minute it fires for', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T11:59:59.000Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const cron = runner(new InProcessCronLock(), true);
    const seen: string[] = [];
    cron.add('every', '* * * * *', async () => void seen.push(new Date().toISOString().slice(11, 16)));
    cron.add('noon', '0 12 * * *', async () => void seen.push('noon'));
    await cron.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // vi.waitFor polls on real timers, letting the tick's promise chain settle.
    await vi.waitFor(() => expect([...seen].sort()).toEqual(['12:00', 'noon']));
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(seen.slice(2)).toEqual(['12:01']));
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(seen.slice(2)).toEqual(['12:01', '12:02']));
    await cron.close();
    await vi.advanceTimersByTimeAsync(60_000 * 2);
    expect(seen).toHaveLength(4);
  });
});
