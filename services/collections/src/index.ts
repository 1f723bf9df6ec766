// For the `hivebase import` command (services/standalone), which imports through the same path as the API.
export { CollectionsService } from './collections/collections.service';
export * from './collections.module';
