import type { ErrorData } from './api-error';

/**
 * Base of every error a library throws for the client's mistake. The HTTP layer answers it with
 * `status`, `publicMessage` and `data` in PocketBase's error shape without knowing which library
 * threw it, so no library has to import one above it to have its errors mapped.
 */
export abstract class ClientError extends Error {
  /** The module's code for this refusal (each module declares its codes `as const`). */
  abstract readonly code: string;
  abstract readonly status: number;
  /** What the client reads; undefined leaves PocketBase's default message for the status. */
  abstract readonly publicMessage: string | undefined;
  abstract readonly data: ErrorData;
}
