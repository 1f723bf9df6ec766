import { Logger, type LoggerService } from '@nestjs/common';
import { type EncodedEvent, type EventBus, type EventHandler, encodeEventPayload } from './event-bus';

export interface InProcessEventBusOptions {
  /** Where handler errors go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

/** An object per subscribe call, so one function subscribed twice is two subscriptions. */
interface Subscription {
  handler: EventHandler<unknown>;
}

/**
 * The standalone-mode bus: fans events out to this process's subscribers. It behaves like
 * `RedisEventBus` on purpose (JSON copies, asynchronous delivery, logged handler errors), so code
 * that works in standalone mode does not break once events cross the network.
 */
export class InProcessEventBus implements EventBus {
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: LoggerService;
  private closed = false;

  constructor(options: InProcessEventBusOptions = {}) {
    this.logger = options.logger ?? new Logger(InProcessEventBus.name);
  }

  async publish<Payload>(event: string, payload: Payload): Promise<void> {
    this.assertOpen(event);
    this.deliverLater(event, encodeEventPayload(event, payload));
  }

  async publishJson(messages: readonly EncodedEvent[]): Promise<void> {
    for (const { event } of messages) this.assertOpen(event);
    for (const { event, json } of messages) this.deliverLater(event, json);
  }

  private deliverLater(event: string, json: string): void {
    for (const subscription of this.subscriptions.get(event) ?? []) {
      // A macrotask per delivery: handlers never run inside the publisher's call stack.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.deliver(event, json, subscription),
      );
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  async subscribe<Payload>(event: string, handler: EventHandler<Payload>): Promise<() => Promise<void>> {
    this.assertOpen(event);
    // The payload type is the event's contract between publisher and subscriber; the bus only moves JSON.
    const subscription: Subscription = { handler: handler as EventHandler<unknown> };
    const subscriptions = this.subscriptions.get(event) ?? new Set<Subscription>();
    subscriptions.add(subscription);
    this.subscriptions.set(event, subscriptions);
    return async () => {
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.subscriptions.get(event) === subscriptions) this.subscriptions.delete(event);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriptions.clear();
    await Promise.all(this.inFlight);
  }

  private async deliver(event: string, json: string, subscription: Subscription): Promise<void> {
    // Unsubscribed or closed between publish and delivery: the handler no longer wants it.
    if (this.closed || !this.subscriptions.get(event)?.has(subscription)) return;
    try {
      await subscription.handler(JSON.parse(json));
    } catch (error) {
      this.logger.error({ msg: 'event handler failed', event, err: error });
    }
  }

  private assertOpen(event: string): void {
    if (this.closed) throw new Error(`event bus is closed (event "${event}")`);
  }
}
