import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamProgress } from './import-progress';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

describe('streamProgress', () => {
  it('writes plain lines off a terminal: the start, each tenth, the end', () => {
    const out = capture(false);
    const progress = streamProgress(out.stream);
    progress.start('records posts', 1000);
    for (let done = 100; done <= 1000; done += 50) progress.update(done);
    progress.finish();
    const lines = out.text().trimEnd().split('\n');
    expect(lines[0]).toBe('records posts: 0/1000');
    expect(lines.at(-1)).toBe('records posts: 1000/1000 done');
    // One line per tenth reached (100…900), none for the many updates between.
    expect(lines).toHaveLength(11);
    expect(out.text()).not.toContain('\r');
  });

  it('redraws one bar in place on a terminal', () => {
    const out = capture(true);
    const progress = streamProgress(out.stream);
    progress.start('records tags', 4);
    progress.update(2);
    progress.finish();
    expect(out.text()).toContain(`\r\u001b[2K[${'#'.repeat(15)}${'-'.repeat(15)}] 2/4 records tags`);
    expect(out.text().split('\n')).toHaveLength(2);
  });
});
