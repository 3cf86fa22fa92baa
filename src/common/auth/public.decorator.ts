import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'agent-ledger:public';

/** Marks a route as reachable without an API key (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
