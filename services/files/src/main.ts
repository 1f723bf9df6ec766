import 'reflect-metadata';
import { runMain } from '@hivebase/platform';
import { startService } from '@hivebase/runtime';
import { FilesModule } from './files.module';

runMain(() => startService('files', FilesModule));
