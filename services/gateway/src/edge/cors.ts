import cors from '@fastify/cors';
import type { BaseConfig } from '@hivebase/platform';
import type { FastifyInstance } from 'fastify';

/**
 * CORS as PocketBase sets it up: every origin allowed unless `HB_CORS_ORIGINS` lists some
 * (comma-separated). Applied where clients enter: the gateway, or the standalone server.
 */
export async function registerCors(fastify: FastifyInstance, config: Pick<BaseConfig, 'corsOrigins'>): Promise<void> {
  const origins = config.corsOrigins
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  await fastify.register(cors, {
    origin: origins.length === 0 || origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
    exposedHeaders: ['x-request-id'],
    maxAge: 86_400,
  });
}
