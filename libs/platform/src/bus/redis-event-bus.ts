import { Logger, type LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { connectRedis, quitRedis, type RedisConnectOptions } from '../redis/connect-redis';
import { type EncodedEvent, type EventBus, type EventHandler, encodeEventPayload } from './event-bus';

export interface RedisEventBusOptions extends RedisConnectOptions {
  /** Prepended to event names to make channel names (default `hb:`); tests use it to stay apart. */
  channelPrefix?: string;
  /** Where handler and connection errors go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

/** An object per subscribe call, so one function subscribed twice is two subscriptions. */
interface Subscription {
  handler: EventHandler<unknown>;
}

/**
 * The distributed-mode bus on Redis pub/sub: one connection publishes, one listens (a listening
 * connection can run nothing else). Every replica subscribed to an event gets every publish,
 * including the publishing process itself; messages published while a replica is disconnected
 * are lost, as the `EventBus` contract allows.
 */
export class RedisEventBus implements EventBus {
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channelPrefix: string,
    private readonly logger: LoggerService,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  /** Resolves once both connections are ready; rejects within `connectTimeoutMs` when Redis is unreachable. */
  static async connect(url: string, options: RedisEventBusOptions = {}): Promise<RedisEventBus> {
    const logger = options.logger ?? new Logger(RedisEventBus.name);
    const connectOptions = { logger, connectTimeoutMs: options.connectTimeoutMs };
    const publisher = await connectRedis(url, { ...connectOptions, role: 'bus-publisher' });
    let subscriber: Redis;
    try {
      subscriber = await connectRedis(url, { ...connectOptions, role: 'bus-subscriber' });
    } catch (error) {
      publisher.disconnect();
      throw error;
    }
    return new RedisEventBus(publisher, subscriber, options.channelPrefix ?? 'hb:', logger);
  }

  async publish<Payload>(event: string, payload: Payload): Promise<void> {
    this.assertOpen(event);
    await this.publisher.publish(this.channelPrefix + event, encodeEventPayload(event, payload));
  }

  async publishJson(messages: readonly EncodedEvent[]): Promise<void> {
    for (const { event } of messages) this.assertOpen(event);
    if (messages.length === 0) return;
    // One transaction: one write and one reply for the batch, and Redis runs all of it or none.
    const transaction = this.publisher.multi();
    for (const { event, json } of messages) transaction.publish(this.channelPrefix + event, json);
    const results = await transaction.exec();
    if (results === null) throw new Error('event bus: the batch was not published (transaction discarded)');
    const failed = results.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async subscribe<Payload>(event: string, handler: EventHandler<Payload>): Promise<() => Promise<void>> {
    this.assertOpen(event);
    const channel = this.channelPrefix + event;
    // The payload type is the event's contract between publisher and subscriber; the bus only moves JSON.
    const subscription: Subscription = { handler: handler as EventHandler<unknown> };
    const subscriptions = this.subscriptions.get(event) ?? new Set<Subscription>();
    subscriptions.add(subscription);
    this.subscriptions.set(event, subscriptions);
    const unsubscribe = async () => {
      if (!subscriptions.delete(subscription) || subscriptions.size > 0) return;
      if (this.subscriptions.get(event) === subscriptions) this.subscriptions.delete(event);
      // Commands on one connection run in order, so this cannot overtake a later SUBSCRIBE.
      if (!this.closing) await this.subscriber.unsubscribe(channel);
    };
    try {
      // Sent on every call (SUBSCRIBE is idempotent): resolving means Redis confirmed it.
      await this.subscriber.subscribe(channel);
    } catch (error) {
      await unsubscribe().catch(() => {});
      throw error;
    }
    return unsubscribe;
  }

  /** Health check: resolves when both connections answer. */
  async ping(): Promise<void> {
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.subscriptions.clear();
      await Promise.all(this.inFlight);
      await Promise.all([quitRedis(this.publisher), quitRedis(this.subscriber)]);
    })();
    await this.closing;
  }

  private dispatch(channel: string, message: string): void {
    if (this.closing || !channel.startsWith(this.channelPrefix)) return;
    const event = channel.slice(this.channelPrefix.length);
    for (const subscription of this.subscriptions.get(event) ?? []) {
      const delivery = this.deliver(event, message, subscription);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  private async deliver(event: string, json: string, subscription: Subscription): Promise<void> {
    try {
      // Parsed per handler, as the in-process bus does: no handler sees another's mutations.
      await subscription.handler(JSON.parse(json));
    } catch (error) {
      this.logger.error({ msg: 'event handler failed', event, err: error });
    }
  }

  private assertOpen(event: string): void {
    if (this.closing) throw new Error(`event bus is closed (event "${event}")`);
  }
}
