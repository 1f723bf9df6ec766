/** Injection token of the process' storage driver. */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');
