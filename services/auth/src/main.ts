import 'reflect-metadata';
import { runMain } from '@hivebase/platform';
import { startService } from '@hivebase/runtime';
import { AuthModule } from './auth.module';

runMain(() => startService('auth', AuthModule));
