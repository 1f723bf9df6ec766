import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { Inject, Injectable } from '@nestjs/common';

/** Bus event telling the relaying replica that outbox rows were committed. */
export const OUTBOX_WAKE = 'outbox.wake';

/**
 * Least time between two wakes from one process: the relay's gather window, during which it
 * waits for more commits after a wake anyway, so wakes closer together only cost it decoding.
 */
export const WAKE_SPACING_MS = 5;

/**
 * Wakes the outbox relay, wherever it runs, after a commit. A NOTIFY inside the write would do
 * the same but serialises every committing transaction on Postgres' notify lock; a bus message
 * after commit costs the writer nothing. A process sends at most one wake per `WAKE_SPACING_MS`
 * (and one at a time): wakes meanwhile collapse into one sent when the spacing is over, so the
 * last commit is always announced.
 */
@Injectable()
export class OutboxWaker {
  private busy = false;
  private again = false;

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  wake(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    // A lost wake only delays the events until the relay's next poll.
    void this.bus
      .publish(OUTBOX_WAKE, null)
      .catch(() => undefined)
      .finally(() => setTimeout(() => this.rested(), WAKE_SPACING_MS).unref());
  }

  private rested(): void {
    this.busy = false;
    if (this.again) {
      this.again = false;
      this.wake();
    }
  }
}
