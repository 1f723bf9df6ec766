/** Bus event published after a record was created, updated or deleted (see docs/events.md). */
export const RECORD_CHANGED = 'record.changed';

/**
 * Payload of `record.changed`. Delivered at least once, in commit order per record: a consumer
 * may see the same event twice and must tolerate it.
 */
export interface RecordChangedEvent {
  action: 'create' | 'update' | 'delete';
  collectionId: string;
  collectionName: string;
  /**
   * The stored row as the records layer gives it, every field included (hidden ones too):
   * consumers decide what a client may see. For `delete`, the row as it was.
   */
  record: Record<string, unknown>;
  /** For `update`: the row before the change. */
  previous?: Record<string, unknown>;
}
