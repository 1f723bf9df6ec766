import { Transform, type TransformCallback } from 'node:stream';
import { ApiError } from '@hivebase/platform';

export const bodyTooLarge = () => new ApiError(413);

/**
 * Passes a request body through while counting it, and fails the stream with a 413 as soon as
 * it exceeds `limit`, so a chunked upload cannot slip past the limit the content-length check
 * guards.
 */
export class BodyLimitStream extends Transform {
  private received = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.limit) {
      callback(bodyTooLarge());
      return;
    }
    callback(null, chunk);
  }
}
