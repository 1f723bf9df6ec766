/** Told how far the import is: one step (a collection's records) at a time. */
export interface ImportProgress {
  /** A step starts with `total` units (0 when it has no count). */
  start(step: string, total: number): void;
  /** `done` units of the current step are finished (absolute, not a delta). */
  update(done: number): void;
  /** The current step is over. */
  finish(): void;
}

export const silentProgress: ImportProgress = { start() {}, update() {}, finish() {} };

const BAR_WIDTH = 30;

/**
 * On a terminal: one bar redrawn in place per step. Otherwise (a pipe, a log file): plain lines,
 * at the start, every tenth of the way and at the end, so logs stay short and readable.
 */
export function streamProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): ImportProgress {
  const tty = Boolean(stream.isTTY);
  let step = '';
  let total = 0;
  let done = 0;
  let lastTenth = -1;

  const bar = () => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * BAR_WIDTH);
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${step}`;
  };
  const line = () => `${step}: ${done}/${total}`;

  return {
    start(name, count) {
      step = name;
      total = count;
      done = 0;
      lastTenth = 0;
      stream.write(tty ? `\r\u001b[2K${bar()}` : `${line()}\n`);
    },
    update(count) {
      done = count;
      if (tty) {
        stream.write(`\r\u001b[2K${bar()}`);
        return;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth > lastTenth && done < total) {
        lastTenth = tenth;
        stream.write(`${line()}\n`);
      }
    },
    finish() {
      stream.write(tty ? `\r\u001b[2K${bar()}\n` : `${line()} done\n`);
    },
  };
}
