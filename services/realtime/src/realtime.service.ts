import {
  AUTH_TOKEN_KEY_CHANGED,
  type AuthTokenKeyChangedEvent,
  REALTIME_OAUTH2,
  REALTIME_SUBSCRIPTIONS_SET,
  RECORD_CHANGED,
  type RealtimeOAuth2Event,
  type RealtimeRecordMessage,
  type RealtimeSubscriptionsSetEvent,
  type RecordChangedEvent,
} from '@hivebase/contracts';
import type { RequestContext } from '@hivebase/filter';
import {
  EVENT_BUS,
  type EventBus,
  FieldsParamError,
  HealthChecks,
  PG_POOL,
  parseFieldsParam,
  pickFields,
  processMetrics,
} from '@hivebase/platform';
import { isOwner, type RecordAccess, RecordExpander, RecordReader, recordToJson } from '@hivebase/records';
import {
  CLIENT_DIRECTORY,
  type ClientDirectory,
  isSuperuser,
  type RecordRow,
  type RequestAuth,
  SchemaRegistry,
} from '@hivebase/runtime';
import type { AuthCollection, Collection } from '@hivebase/schema';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { REALTIME_CONFIG, type RealtimeConfig } from './realtime.config';
import type { RealtimeClient, SseSink, Subscription } from './realtime-client';
import { authKeyOf, RealtimeHub } from './realtime-hub';
import { answerOf, type CheckAnswer, RecordChecks } from './record-checks';
import { OAUTH2_TOPIC, parseTopic } from './topic';

/** Events remembered to drop the outbox's rare repeats (it delivers at least once). */
/** Directory entries outlive the longest stream by this much. */
const ENTRY_MARGIN_MS = 60_000;
const RECENT_EVENTS_LIMIT = 10_000;
/** The connected-clients log line is written at most this often, and only when the count moved. */
const CLIENTS_LOG_EVERY_MS = 60_000;

/** Why a subscribe POST was refused; the controller turns it into PocketBase's error. */
export type SubscribeOutcome = 'ok' | 'not-found' | 'ip-mismatch' | 'auth-mismatch';

interface Delivery {
  client: RealtimeClient;
  subscription: Subscription;
  auth: RequestAuth | null;
  superuser: boolean;
  request: RequestContext;
  access: CheckAnswer;
  filter: CheckAnswer;
  manage: CheckAnswer;
}

const withoutSecrets = (row: Record<string, unknown>): Record<string, unknown> => {
  const { password: _password, tokenKey: _tokenKey, ...rest } = row;
  return rest;
};

/**
 * The realtime service: holds this replica's SSE clients, applies subscribe POSTs (its own
 * clients directly, another replica's through the bus), and fans record events out to the
 * clients whose rules let them see the record, as a REST read would show it.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeService.name);
  readonly hub = new RealtimeHub();
  private readonly reader: RecordReader;
  private readonly expander: RecordExpander;
  private readonly unsubscribers: (() => Promise<void>)[] = [];
  private readonly recentEvents = new Set<string>();
  private sweeper?: NodeJS.Timeout;
  private closing = false;
  private loggedClients = 0;
  private clientsLoggedAt = 0;

  constructor(
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(CLIENT_DIRECTORY) private readonly directory: ClientDirectory,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(HealthChecks) private readonly health: HealthChecks,
  ) {
    this.reader = new RecordReader(pool, registry);
    this.expander = new RecordExpander(pool, registry, (collection, row, access) =>
      this.reader.toJson(collection, row, access),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.directory.start();
    // PocketBase's health has no such field: the count shows on this service's own port (distributed) and in the log.
    this.health.addDetail('realtime', () => ({ clients: this.hub.size }));
    processMetrics().gauge({
      name: 'hb_realtime_connections',
      help: 'Server-sent-event clients connected to this process.',
      collect: (gauge) => gauge.set(this.hub.size),
    });
    this.unsubscribers.push(
      await this.bus.subscribe<RecordChangedEvent>(RECORD_CHANGED, (event) => this.onRecordChanged(event)),
      await this.bus.subscribe<AuthTokenKeyChangedEvent>(AUTH_TOKEN_KEY_CHANGED, (event) =>
        this.dropAuth(event.collectionId, event.recordId),
      ),
      await this.bus.subscribe<RealtimeOAuth2Event>(REALTIME_OAUTH2, (event) => this.onOAuth2(event)),
      await this.bus.subscribe<RealtimeSubscriptionsSetEvent>(REALTIME_SUBSCRIPTIONS_SET, (event) =>
        this.onRemoteSubscriptions(event),
      ),
    );
    const every = Math.max(
      50,
      Math.min(5_000, Math.floor(Math.min(this.config.idleTimeoutMs, this.config.maxLifetimeMs) / 10)),
    );
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  /** Closes every stream so the SDKs reconnect (to another replica), before the server stops. */
  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const clients = [...this.hub.all()];
    for (const client of clients) this.disconnect(client);
    await Promise.all(this.unsubscribers.splice(0).map((unsubscribe) => unsubscribe()));
    await this.directory.close();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.closing) await this.closeAll();
  }

  get isAcceptingClients(): boolean {
    return !this.closing && this.hub.size < this.config.maxClients;
  }

  /** Registers a new stream and sends PB_CONNECT. */
  async connect(ip: string, sink: SseSink): Promise<RealtimeClient> {
    const client = this.hub.add(ip, sink, Date.now());
    try {
      // Entries outlive the longest stream a little, so a live client is never missing.
      await this.directory.register(client.id, ip, this.config.maxLifetimeMs + ENTRY_MARGIN_MS);
    } catch (error) {
      this.hub.remove(client);
      throw error;
    }
    client.send('PB_CONNECT', JSON.stringify({ clientId: client.id }), Date.now(), this.config.maxBacklogBytes);
    this.logger.debug({ msg: 'realtime client connected', clientId: client.id });
    return client;
  }

  /** Forgets a client whose stream ended (or ends it). */
  disconnect(client: RealtimeClient): void {
    client.close();
    if (this.hub.get(client.id) !== client) return;
    this.hub.remove(client);
    this.logger.debug({
      msg: 'realtime client disconnected',
      clientId: client.id,
      ms: Date.now() - client.connectedAt,
    });
    void this.directory.remove(client.id).catch((error: unknown) => {
      this.logger.warn({ msg: 'realtime directory removal failed', clientId: client.id, err: error });
    });
  }

  /** PocketBase's subscribe POST after validation: finds the client wherever it is connected. */
  async subscribe(
    clientId: string,
    ip: string,
    auth: RequestAuth | null,
    topics: readonly string[],
  ): Promise<SubscribeOutcome> {
    const local = this.hub.get(clientId);
    if (local) {
      if (local.ip !== '' && local.ip !== ip) return 'ip-mismatch';
      if (local.auth && authKeyOf(local.auth) !== authKeyOf(auth)) return 'auth-mismatch';
      this.hub.apply(local, auth, topics);
      await this.directory.setAuth(clientId, authKeyOf(auth));
      await this.directory.setOAuth2(clientId, local.hasOAuth2Subscription());
      return 'ok';
    }
    const entry = await this.directory.find(clientId);
    if (!entry) return 'not-found';
    if (entry.ip !== '' && entry.ip !== ip) return 'ip-mismatch';
    if (entry.auth !== '' && entry.auth !== authKeyOf(auth)) return 'auth-mismatch';
    await this.directory.setAuth(clientId, authKeyOf(auth));
    await this.directory.setOAuth2(
      clientId,
      topics.some((topic) => parseTopic(topic).kind === 'oauth2'),
    );
    await this.bus.publish<RealtimeSubscriptionsSetEvent>(REALTIME_SUBSCRIPTIONS_SET, {
      clientId,
      replicaId: entry.replicaId,
      auth: auth && { collectionId: auth.collection.id, record: withoutSecrets(auth.record) },
      subscriptions: [...topics],
    });
    return 'ok';
  }

  private onRemoteSubscriptions(event: RealtimeSubscriptionsSetEvent): void {
    if (event.replicaId !== this.directory.replicaId) return;
    const client = this.hub.get(event.clientId);
    if (!client) return;
    let auth: RequestAuth | null = null;
    if (event.auth) {
      const collection = this.registry.find(event.auth.collectionId);
      if (collection?.type !== 'auth') return;
      auth = { collection: collection as AuthCollection, record: event.auth.record as RecordRow };
    }
    this.hub.apply(client, auth, event.subscriptions);
  }

  /** Live connections of a changed (new tokenKey) or deleted auth record become guests, as in PocketBase. */
  private dropAuth(collectionId: string, recordId: string): void {
    for (const client of this.hub.boundTo(collectionId, recordId)) {
      client.auth = null;
      void this.directory.setAuth(client.id, '').catch(() => undefined);
    }
  }

  private onOAuth2(event: RealtimeOAuth2Event): void {
    const client = this.hub.get(event.clientId);
    if (!client?.hasOAuth2Subscription()) return;
    // PocketBase omits an empty error.
    const data: Record<string, string> = { state: event.state, code: event.code };
    if (event.error !== '') data.error = event.error;
    client.send(OAUTH2_TOPIC, JSON.stringify(data), Date.now(), this.config.maxBacklogBytes);
    this.hub.dropOAuth2(client);
    void this.directory.setOAuth2(client.id, false).catch(() => undefined);
  }

  private sweep(): void {
    const now = Date.now();
    if (this.hub.size !== this.loggedClients && now - this.clientsLoggedAt >= CLIENTS_LOG_EVERY_MS) {
      this.loggedClients = this.hub.size;
      this.clientsLoggedAt = now;
      this.logger.log({ msg: 'realtime clients', clients: this.hub.size });
    }
    for (const client of [...this.hub.all()]) {
      if (client.isClosed) this.disconnect(client);
      else if (now - client.lastActive >= this.config.idleTimeoutMs) this.disconnect(client);
      else if (now - client.connectedAt >= this.config.maxLifetimeMs) this.disconnect(client);
    }
  }

  /** True the first time an event is seen: the outbox may publish one twice after a crash. */
  private firstSighting(event: RecordChangedEvent): boolean {
    const updated = event.record.updated;
    const version = typeof updated === 'string' && updated !== '' ? updated : JSON.stringify(event.record);
    const key = `${event.action}/${event.collectionId}/${String(event.record.id)}/${version}`;
    if (this.recentEvents.has(key)) return false;
    if (this.recentEvents.size >= RECENT_EVENTS_LIMIT) {
      const oldest = this.recentEvents.values().next().value;
      if (oldest !== undefined) this.recentEvents.delete(oldest);
    }
    this.recentEvents.add(key);
    return true;
  }

  async onRecordChanged(event: RecordChangedEvent): Promise<void> {
    let collection = this.registry.find(event.collectionId);
    if (!collection) {
      // A collection created a moment ago may reach this replica's schema after its first record.
      await this.registry.reload();
      collection = this.registry.find(event.collectionId);
    }
    if (collection?.type === 'auth') this.refreshBoundAuth(collection, event);
    if (!collection) return;
    const subscribers = this.hub.subscribersOf([collection.id, collection.name], String(event.record.id));
    // Only events someone receives are remembered: a repeat then reaches nobody twice, and with
    // no subscriber (most writes) an event costs no more than this lookup.
    if (subscribers.size === 0 || !this.firstSighting(event)) return;
    const record = event.record;
    const checks = new RecordChecks(this.registry, collection, record, event.action === 'delete');
    const deliveries: Delivery[] = [];
    for (const client of subscribers) {
      for (const subscription of client.subscriptions) {
        const parsed = subscription.parsed;
        if (
          parsed.kind !== 'record' ||
          (parsed.collection !== collection.id && parsed.collection !== collection.name)
        ) {
          continue;
        }
        if (parsed.recordId !== '*' && parsed.recordId !== record.id) continue;
        deliveries.push(this.plan(checks, collection, record, client, subscription));
      }
    }
    await checks.resolve(this.pool, this.logger);
    const rendered = new Map<string, string>();
    for (const delivery of deliveries) {
      if (!answerOf(delivery.access) || !answerOf(delivery.filter)) continue;
      try {
        const data = await this.render(collection, record, event.action, delivery, rendered);
        delivery.client.send(delivery.subscription.topic, data, Date.now(), this.config.maxBacklogBytes);
      } catch (error) {
        this.logger.debug({ msg: 'realtime message skipped', topic: delivery.subscription.topic, err: error });
      }
    }
  }

  /** What one subscription needs checked for this record, asked of `checks` (answered later if SQL must tell). */
  private plan(
    checks: RecordChecks,
    collection: Collection,
    record: Record<string, unknown>,
    client: RealtimeClient,
    subscription: Subscription,
  ): Delivery {
    const auth = client.auth;
    const superuser = isSuperuser(auth);
    const { query, headers } = subscription.options;
    // Built once per subscription and auth, not per event: thousands of subscribers meet here on every event.
    if (subscription.seen?.auth !== auth) {
      const request: RequestContext = { context: 'realtime', method: 'GET', headers, query, body: {}, auth };
      subscription.seen = { auth, request, memoKey: `${authKeyOf(auth)}\u0000${subscription.optionsKey}` };
    }
    const { request, memoKey } = subscription.seen;
    const rule =
      subscription.parsed.kind === 'record' && subscription.parsed.recordId === '*'
        ? collection.listRule
        : collection.viewRule;
    let access: CheckAnswer;
    if (superuser) access = true;
    else if (rule === null) access = false;
    else if (rule.trim() === '') access = true;
    else access = checks.check(rule, request, true, memoKey);
    let filter: CheckAnswer = true;
    const clientFilter = query.filter ?? '';
    if (clientFilter.trim() !== '') {
      // As a REST list: only superusers may filter by @collection or @request.
      filter =
        !superuser && (clientFilter.includes('@collection.') || clientFilter.includes('@request.'))
          ? false
          : checks.check(clientFilter, request, superuser, memoKey);
    }
    let manage: CheckAnswer = false;
    const asking = { isSuperuser: superuser, request };
    if (
      collection.type === 'auth' &&
      !superuser &&
      !isOwner(asking, collection, record) &&
      collection.manageRule?.trim()
    ) {
      manage = checks.check(collection.manageRule, request, true, memoKey);
    }
    return { client, subscription, auth, superuser, request, access, filter, manage };
  }

  /** The message's data as a REST read would show the record to this client: visibility, expand, fields. */
  private async render(
    collection: Collection,
    record: Record<string, unknown>,
    action: RecordChangedEvent['action'],
    delivery: Delivery,
    rendered: Map<string, string>,
  ): Promise<string> {
    const access: RecordAccess = { isSuperuser: delivery.superuser, request: delivery.request };
    const showEmail = delivery.superuser || isOwner(access, collection, record) || answerOf(delivery.manage);
    const expand = delivery.subscription.options.query.expand ?? '';
    const fields = delivery.subscription.options.query.fields ?? '';
    // Without expand the data depends only on these, so equal subscribers share one rendering.
    const cacheKey = expand.trim() === '' ? `${delivery.superuser ? 1 : 0}${showEmail ? 1 : 0}\u0000${fields}` : null;
    const cached = cacheKey === null ? undefined : rendered.get(cacheKey);
    if (cached !== undefined) return cached;
    const json = recordToJson(collection, record, { showHidden: delivery.superuser, showEmail });
    if (expand.trim() !== '') await this.expander.expand(collection, [record], [json], expand, access);
    let picked: unknown = json;
    if (fields.trim() !== '') {
      try {
        picked = pickFields(json, parseFieldsParam(fields));
      } catch (error) {
        // PocketBase sends the whole record when `fields` does not parse.
        if (!(error instanceof FieldsParamError)) throw error;
      }
    }
    const message: RealtimeRecordMessage = { record: picked as Record<string, unknown>, action };
    const data = JSON.stringify(message);
    if (cacheKey !== null) rendered.set(cacheKey, data);
    return data;
  }

  /** An auth record's update refreshes what `@request.auth` reads; its delete makes its clients guests. */
  private refreshBoundAuth(collection: Collection, event: RecordChangedEvent): void {
    const recordId = String(event.record.id);
    if (event.action === 'delete') {
      this.dropAuth(collection.id, recordId);
      return;
    }
    if (event.action !== 'update') return;
    for (const client of this.hub.boundTo(collection.id, recordId)) {
      if (!client.auth) continue;
      client.auth = {
        collection: collection as AuthCollection,
        record: { ...client.auth.record, ...event.record, id: recordId },
      };
    }
  }
}
