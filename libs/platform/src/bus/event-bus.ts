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
   * `publish` of a payload already encoded as JSON text (one the publisher read as text, such as an
   * outbox row): sent as it is, so the publisher neither decodes nor re-encodes it. The text must be
   * a JSON value; subscribers decode it as any other payload.
   */
  publishJson(event: string, json: string): Promise<void>;
  /** Registers `handler` (resolves once it is listening); the returned function unsubscribes it. */
  subscribe<Payload>(event: string, handler: EventHandler<Payload>): Promise<() => Promise<void>>;
  /** Stops delivering, waits for running handlers and releases connections; publishing then fails. */
  close(): Promise<void>;
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
