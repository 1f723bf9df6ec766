/** One field's validation failure inside an error's `data` (PocketBase's "safe error item"). */
export interface FieldError {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** `data` of an error body: field names (nested objects for nested paths) to their failure. */
export interface ErrorData {
  [field: string]: FieldError | ErrorData | unknown;
}

/** Every non-2xx JSON body, in PocketBase's key order. */
export interface ApiErrorBody {
  data: ErrorData;
  message: string;
  status: number;
}

/** PocketBase's default messages for the statuses it names; others use the HTTP status text. */
export const DEFAULT_ERROR_MESSAGES = {
  400: 'Something went wrong while processing your request.',
  401: 'Missing or invalid authentication.',
  403: 'You are not allowed to perform this request.',
  404: "The requested resource wasn't found.",
  413: 'Request Entity Too Large.',
  429: 'Too Many Requests.',
  500: 'Something went wrong while processing your request.',
  502: 'Bad Gateway.',
  503: 'Service Unavailable.',
  504: 'Gateway Timeout.',
} as const;
