/**
 * Bus event sent by the realtime replica that answered a subscribe POST for a client whose stream
 * another replica holds: the holder applies the new subscriptions and auth. Redis delivers a
 * subscriber's messages in publish order, so the holder applies it before any record event
 * published after the POST was answered.
 */
export const REALTIME_SUBSCRIPTIONS_SET = 'realtime.subscriptionsSet';

export interface RealtimeSubscriptionsSetEvent {
  clientId: string;
  /** The replica holding the client's stream; the others ignore the event. */
  replicaId: string;
  /** The auth the request bound to the client: collection id and the record's fields (no secrets). */
  auth: { collectionId: string; record: Record<string, unknown> } | null;
  subscriptions: string[];
}

/** Data of a record message on a `collection/*` or `collection/ID` topic (PocketBase's key order). */
export interface RealtimeRecordMessage {
  record: Record<string, unknown>;
  action: 'create' | 'update' | 'delete';
}
