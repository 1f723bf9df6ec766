import 'reflect-metadata';
import { runMain, startService } from '@hivebase/server';
import { CollectionsModule } from './collections.module';

runMain(() => startService('collections', CollectionsModule));
