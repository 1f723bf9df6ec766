import 'reflect-metadata';
import { runMain } from '@hivebase/platform';
import { startService } from '@hivebase/runtime';
import { RealtimeModule } from './realtime.module';

runMain(() => startService('realtime', RealtimeModule));
