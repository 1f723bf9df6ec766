import 'reflect-metadata';
import { runMain, startService } from '@hivebase/server';
import { AuthModule } from './auth.module';

runMain(() => startService('auth', AuthModule));
