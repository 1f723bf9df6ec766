import { Global, Module } from '@nestjs/common';
import { SettingsService } from './settings.service';

/** The application settings for every module: loaded at boot, cached, kept fresh across replicas. */
@Global()
@Module({ providers: [SettingsService], exports: [SettingsService] })
export class SettingsModule {}
