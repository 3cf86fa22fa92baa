export * from './tenant-id';
export * from './tenant-scope';
export * from './tenant-scope.interceptor';
