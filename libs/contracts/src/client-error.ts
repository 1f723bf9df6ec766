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

/** A module's refusals: code → HTTP status and PocketBase message (`{name}` marks a part filled in when thrown). */
export type ErrorTable = Record<string, { readonly status: number; readonly message: string }>;

export interface CodedErrorOptions {
  /** Values of the message's `{name}` parts. */
  params?: Record<string, string>;
  cause?: unknown;
}

/**
 * The error class of a module's code table: thrown by code with field errors in `data`; status
 * and message come from the table. `class AuthError extends codedError('AuthError', AUTH_ERRORS) {}`.
 */
export function codedError<Table extends ErrorTable>(name: string, table: Table) {
  return class extends ClientError {
    readonly status: Table[keyof Table]['status'];
    readonly publicMessage: string;
    constructor(
      readonly code: keyof Table & string,
      readonly data: ErrorData = {},
      options: CodedErrorOptions = {},
    ) {
      const message = table[code].message.replace(/\{(\w+)\}/g, (_, part: string) => options.params?.[part] ?? '');
      super(message, { cause: options.cause });
      this.name = name;
      this.status = table[code].status;
      this.publicMessage = message;
    }
  };
}
