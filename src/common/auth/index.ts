export * from './api-key.entity';
export * from './api-key.guard';
export * from './api-keys.service';
export * from './auth.module';
export * from './ctx.decorator';
export * from './public.decorator';
export * from './request-context';
