import 'reflect-metadata';
import { runMain, startService } from '@hivebase/server';
import { RealtimeModule } from './realtime.module';

runMain(() => startService('realtime', RealtimeModule));
