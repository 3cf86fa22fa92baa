export * from '../../config/tenant-id';
export * from './tenant-scope';
