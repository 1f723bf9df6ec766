import 'reflect-metadata';
import { runMain } from '@hivebase/platform';
import { startService } from '@hivebase/runtime';
import { CollectionsModule } from './collections.module';

runMain(() => startService('collections', CollectionsModule));
