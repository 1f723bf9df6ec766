import type { RequestContext } from '@hivebase/filter';
import type { RequestAuth } from '@hivebase/runtime';
import { type ParsedTopic, parseTopic, parseTopicOptions, type SubscriptionOptions } from './topic';

/** One subscription of a client: the topic string as sent (the SSE event name), parsed once. */
export interface Subscription {
  topic: string;
  parsed: ParsedTopic;
  options: SubscriptionOptions;
  /** `options` as text, made once: part of the key that lets equal checks be asked once per event. */
  optionsKey: string;
  /** What rules see for this subscription and its memo key, kept while the client's auth is the same object. */
  seen?: { auth: RequestAuth | null; request: RequestContext; memoKey: string };
}

/** Where a client's SSE frames go; false from `write` means the socket is backed up. */
export interface SseSink {
  write(chunk: string): boolean;
  /** Bytes queued and not yet sent. */
  readonly backlog: number;
  close(): void;
}

/**
 * A client whose stream this replica holds: its id, IP, bound auth and subscriptions. Sends are
 * SSE frames with the client id as `id:`, as PocketBase writes them.
 */
export class RealtimeClient {
  auth: RequestAuth | null = null;
  subscriptions: Subscription[] = [];
  /** Last frame sent (or connect time): the idle timeout counts from here. */
  lastActive: number;
  readonly connectedAt: number;
  private closed = false;

  constructor(
    readonly id: string,
    readonly ip: string,
    private readonly sink: SseSink,
    now: number,
  ) {
    this.connectedAt = now;
    this.lastActive = now;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Replaces every subscription; "" topics are skipped, duplicates kept once (as PocketBase's map). */
  setSubscriptions(topics: readonly string[]): void {
    const seen = new Set<string>();
    const next: Subscription[] = [];
    for (const topic of topics) {
      if (topic === '' || seen.has(topic)) continue;
      seen.add(topic);
      const options = parseTopicOptions(topic);
      const optionsKey = `${JSON.stringify(options.query)}\u0000${JSON.stringify(options.headers)}`;
      next.push({ topic, parsed: parseTopic(topic), options, optionsKey });
    }
    this.subscriptions = next;
  }

  hasOAuth2Subscription(): boolean {
    return this.subscriptions.some((subscription) => subscription.parsed.kind === 'oauth2');
  }

  dropOAuth2Subscription(): void {
    this.subscriptions = this.subscriptions.filter((subscription) => subscription.parsed.kind !== 'oauth2');
  }

  /** Writes one SSE message; false once the client is gone. */
  send(name: string, data: string, now: number, maxBacklog: number): boolean {
    if (this.closed) return false;
    if (this.sink.backlog > maxBacklog) {
      // A reader this far behind would only grow memory; it reconnects and re-subscribes.
      this.close();
      return false;
    }
    this.sink.write(`id:${this.id}\nevent:${name}\ndata:${data}\n\n`);
    this.lastActive = now;
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }
}
