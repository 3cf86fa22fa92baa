export * from './compare-and-set';
export * from './hydrate';
export * from './paginate';
export * from './persistence.module';
export * from './unit-of-work';
export * from './uuid-v7';
export * from './versioned.entity';
