import { ApiError } from '@hivebase/platform';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** PocketBase's `router.ErrUnsupportedContentType`, as it reaches the client. */
export const UNSUPPORTED_CONTENT_TYPE = 'Unsupported Content-Type.';
/** The message of PocketBase's forms whose `BindBody` fails (auth flows, settings, sql, …). */
export const LOAD_FAILED = 'An error occurred while loading the submitted data.';
/** `e.BadRequestError("", err)`: what PocketBase's record routes answer when `RequestInfo` cannot bind. */
const GENERIC = 'Something went wrong while processing your request.';

/**
 * What a route answers for a body PocketBase's `BindBody` cannot read, as its handler does: a
 * `malformed` body (bad JSON, JSON that is no object, a bad form) or one of an `unsupported`
 * Content-Type (anything but JSON, forms and multipart). Handlers that pass `BindBody`'s own
 * error through (`firstApiError`) answer "Unsupported Content-Type." for the second; the others
 * use their message for both. `ignore`: the handler never binds the body, which is then empty.
 */
export type BodyPolicy = { malformed: string; unsupported: string } | 'ignore';

/** Routes that do not say otherwise: PocketBase's records API (`RequestInfo` fails first). */
const DEFAULT_POLICY: BodyPolicy = { malformed: GENERIC, unsupported: UNSUPPORTED_CONTENT_TYPE };

/** Ready-made policies; `bindFailed(message)` for a handler that answers one message for both. */
export const BODY_POLICIES = {
  /** `firstApiError(err, BadRequestError("An error occurred while loading the submitted data."))`. */
  loadFailed: { malformed: LOAD_FAILED, unsupported: UNSUPPORTED_CONTENT_TYPE },
  /** `BadRequestError("An error occurred while loading the submitted data.", err)`. */
  loadFailedAlways: { malformed: LOAD_FAILED, unsupported: LOAD_FAILED },
  /** `BadRequestError("", err)`. */
  generic: { malformed: GENERIC, unsupported: GENERIC },
  ignore: 'ignore',
} as const satisfies Record<string, BodyPolicy>;

/** A handler answering `message` whatever went wrong reading the body. */
export const bindFailed = (message: string): BodyPolicy => ({ malformed: message, unsupported: message });

const POLICY_KEY = 'hbBodyPolicy';

/** Sets a Nest route's {@link BodyPolicy} (Fastify route config; one `RouteConfig` per handler). */
export const BodyErrors = (policy: BodyPolicy) => RouteConfig({ [POLICY_KEY]: policy });

/** The route config of a raw Fastify route with `policy` (extension routes). */
export const bodyPolicyConfig = (policy: BodyPolicy) => ({ [POLICY_KEY]: policy });

function policyOf(request: FastifyRequest): BodyPolicy {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return (config?.[POLICY_KEY] as BodyPolicy | undefined) ?? DEFAULT_POLICY;
}

/** A body that does not read: the route's 400, or `null` when the route ignores bodies. */
export function unreadableBody(
  request: FastifyRequest,
  kind: 'malformed' | 'unsupported',
  cause?: unknown,
): ApiError | null {
  const policy = policyOf(request);
  if (policy === 'ignore') return null;
  return new ApiError(400, policy[kind], {}, { cause });
}
