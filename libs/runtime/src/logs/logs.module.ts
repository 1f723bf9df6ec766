import { Module } from '@nestjs/common';
import { LogsController } from './logs.controller';

/** The logs API (`/api/logs*`), hosted by the collections service (and so by standalone). */
@Module({ controllers: [LogsController] })
export class LogsApiModule {}
