export * from './domain-error';
export * from './error-codes';
export * from './field-path';
export * from './problem-catalog';
export * from './problem-details';
export * from './unknown-reference.error';
