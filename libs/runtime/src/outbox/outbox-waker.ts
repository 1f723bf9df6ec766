import { EVENT_BUS, type EventBus } from '@hivebase/platform';
import { Inject, Injectable } from '@nestjs/common';

/** Bus event telling the relaying replica that outbox rows were committed. */
export const OUTBOX_WAKE = 'outbox.wake';

/**
 * Wakes the outbox relay, wherever it runs, after a commit. A NOTIFY inside the write would do
 * the same but serialises every committing transaction on Postgres' notify lock; a bus message
 * after commit costs the writer nothing. At most one message is in flight per process: wakes
 * meanwhile collapse into one more.
 */
@Injectable()
export class OutboxWaker {
  private sending = false;
  private again = false;

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  wake(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    // A lost wake only delays the events until the relay's next poll.
    void this.bus
      .publish(OUTBOX_WAKE, null)
      .catch(() => undefined)
      .finally(() => {
        this.sending = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }
}
