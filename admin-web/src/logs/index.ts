export { EdgeSettings } from './edge-settings';
export { LogsPage } from './logs-page';
