export * from './etag';
export * from './expected-version.decorator';
export * from './page-query.dto';
export * from './validation';
export * from './api-problems.decorator';
export * from './parse-id.pipe';
export * from './safe-json';
export * from './audited.response';
