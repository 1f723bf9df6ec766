import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toApiError } from './to-api-error';

/** Writes every error that reaches Nest in PocketBase's `{data, message, status}` shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendApiError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

/** Shared by the Nest filter and Fastify's own error handler. */
export function sendApiError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { apiError, internal } = toApiError(error);
  if (internal) {
    logger.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
  }
  if (reply.sent || reply.raw.headersSent) {
    // A streamed response already started; all that is left is to end it.
    reply.raw.destroy();
    return;
  }
  void reply.status(apiError.status).type('application/json').send(apiError.toBody());
}
