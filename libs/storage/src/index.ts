export * from './local-storage-driver';
export * from './object-keys';
export * from './s3-storage-driver';
export * from './sniff-content-type';
export * from './storage-driver';
export * from './stored-file-name';
