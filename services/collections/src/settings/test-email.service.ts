import { badRequest } from '@hivebase/platform';
import { composeAuthMail, type RecordRow, SchemaRegistry, SettingsService, SmtpMailSender } from '@hivebase/runtime';
import {
  type AuthCollection,
  definitionOf,
  formatDateTimeMs,
  isAuthCollection,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import { readTestEmailForm, TEST_EMAIL_TEMPLATES, validateTestEmailForm } from './test-email-form';

const FAILED = 'Failed to send the test email.';

/**
 * A record of `collection` that exists nowhere: every visible field holds `__hb_test_<name>__`
 * (normalised by its type, so numbers read 0), and `email` the test address, as PocketBase fills
 * its test record.
 */
function sampleRecord(collection: AuthCollection, email: string): RecordRow {
  const record: RecordRow = { id: '' };
  for (const field of collection.fields) {
    if (field.hidden) continue;
    record[field.name] = definitionOf(field).prepareValue(field, `__hb_test_${field.name}__`);
  }
  record.email = email;
  return record;
}

/** PocketBase ends API messages with a period; a raw error appended to one may lack it. */
const asSentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** `POST /api/settings/test/email`: renders one auth template with sample values and sends it now. */
@Injectable()
export class TestEmailService {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(SmtpMailSender) private readonly sender: SmtpMailSender,
  ) {}

  async send(body: unknown): Promise<void> {
    const form = readTestEmailForm(body);
    const errors = validateTestEmailForm(form, (idOrName) => this.findAuthCollection(idOrName) !== undefined);
    if (Object.keys(errors).length > 0) throw badRequest(FAILED, errors);

    const collection = this.findAuthCollection(form.collection || SUPERUSERS_COLLECTION_NAME);
    if (!collection) throw badRequest(FAILED);
    const message = composeAuthMail(TEST_EMAIL_TEMPLATES[form.template], {
      collection,
      record: sampleRecord(collection, form.email),
      settings: this.settings.get(),
      to: form.email,
      token: '__hb_test_token__',
      otp: '123456',
      otpId: '__hb_test_otp_id__',
      alertInfo: `${formatDateTimeMs(Date.now())} - 127.0.0.1 TEST_USER_AGENT`,
    });
    // Sent directly, not queued: the superuser is testing the SMTP settings and must see a failure.
    try {
      await this.sender.deliver(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw badRequest(asSentence(`${FAILED} Raw error: \n${reason}`));
    }
  }

  private findAuthCollection(idOrName: string): AuthCollection | undefined {
    const collection = this.registry.find(idOrName);
    return collection && isAuthCollection(collection) ? collection : undefined;
  }
}
