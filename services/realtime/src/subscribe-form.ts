import type { ErrorData } from '@hivebase/contracts';
import { badRequest } from '@hivebase/platform';

/** PocketBase's limits on a subscribe POST. */
export const MAX_CLIENT_ID_LENGTH = 255;
export const MAX_SUBSCRIPTIONS = 1000;
export const MAX_TOPIC_LENGTH = 2500;

export interface SubscribeForm {
  clientId: string;
  subscriptions: string[];
}

const runes = (text: string) => [...text].length;

/**
 * The body of `POST /api/realtime`, checked as PocketBase checks it: a body that does not decode
 * into the form is a bare 400; a form out of bounds is a 400 naming each field.
 */
export function parseSubscribeForm(body: unknown): SubscribeForm {
  const input = body ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badRequest();
  const { clientId = '', subscriptions = [] } = input as Record<string, unknown>;
  const list = subscriptions ?? [];
  if (typeof clientId !== 'string' || !Array.isArray(list) || list.some((topic) => typeof topic !== 'string')) {
    throw badRequest();
  }
  const topics = list as string[];
  const errors: ErrorData = {};
  if (clientId === '') errors.clientId = { code: 'validation_required', message: 'Cannot be blank.' };
  else if (runes(clientId) > MAX_CLIENT_ID_LENGTH) {
    errors.clientId = {
      code: 'validation_length_out_of_range',
      message: `The length must be between 1 and ${MAX_CLIENT_ID_LENGTH}.`,
      params: { min: 1, max: MAX_CLIENT_ID_LENGTH },
    };
  }
  if (topics.length > MAX_SUBSCRIPTIONS) {
    errors.subscriptions = {
      code: 'validation_length_too_long',
      message: `The length must be no more than ${MAX_SUBSCRIPTIONS}.`,
      params: { max: MAX_SUBSCRIPTIONS },
    };
  } else {
    const perTopic: ErrorData = {};
    topics.forEach((topic, index) => {
      if (runes(topic) > MAX_TOPIC_LENGTH) {
        perTopic[String(index)] = {
          code: 'validation_length_too_long',
          message: `The length must be no more than ${MAX_TOPIC_LENGTH}.`,
          params: { max: MAX_TOPIC_LENGTH },
        };
      }
    });
    if (Object.keys(perTopic).length > 0) errors.subscriptions = perTopic;
  }
  if (Object.keys(errors).length > 0) throw badRequest(undefined, errors);
  return { clientId, subscriptions: topics };
}
