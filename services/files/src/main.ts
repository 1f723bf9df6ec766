import 'reflect-metadata';
import { runMain, startService } from '@hivebase/server';
import { FilesModule } from './files.module';

runMain(() => startService('files', FilesModule));
