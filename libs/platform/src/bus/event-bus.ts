/** Handler of one bus event; errors are logged by the bus, never thrown back to the publisher. */
export type EventHandler<Payload = unknown> = (payload: Payload) => void | Promise<void>;

/**
 * Events fanned out to every replica of every service (`schema.changed`, `record.changed`, …).
 * Delivery is at most once per subscriber; durable work belongs on a job queue instead.
 */
export interface EventBus {
  /**
   * Sends `payload` (JSON-serialisable, else a TypeError) to every subscriber of `event` in every
   * process. Handlers run later, never inside this call, each with its own decoded copy.
   */
  publish<Payload>(event: string, payload: Payload): Promise<void>;
  /**
   * Publishes `messages` in order, each payload already encoded as JSON text (text the publisher
   * read as JSON, such as outbox rows: sent as it is, neither decoded nor re-encoded), in one step:
   * every one of them goes out or none does (Redis: one MULTI/EXEC), so publishing the batch again
   * after a rejection never lets a subscriber see a message without the ones before it.
   */
  publishJson(messages: readonly EncodedEvent[]): Promise<void>;
  /** Registers `handler` (resolves once it is listening); the returned function unsubscribes it. */
  subscribe<Payload>(event: string, handler: EventHandler<Payload>): Promise<() => Promise<void>>;
  /** Stops delivering, waits for running handlers and releases connections; publishing then fails. */
  close(): Promise<void>;
}

/** An event and its payload as JSON text (see `EventBus.publishJson`). */
export interface EncodedEvent {
  event: string;
  json: string;
}

/** Injection token of the process's EventBus. */
export const EVENT_BUS = Symbol('EVENT_BUS');

/**
 * The JSON text every bus sends for `payload`: one encoding for both buses, so a payload that
 * works in standalone mode also works across Redis, and a bad one fails at the publisher.
 */
export function encodeEventPayload(event: string, payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`payload of event "${event}" is not JSON-serialisable: ${reason}`, { cause: error });
  }
  if (json === undefined) throw new TypeError(`payload of event "${event}" is not JSON-serialisable`);
  return json;
}
