export * from './settings.model';
export * from './settings.module';
export * from './settings.service';
export * from './settings-merge';
export * from './settings-store';
export * from './settings-validate';
