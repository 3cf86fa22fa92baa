import { applyDecorators, CallHandler, ExecutionContext, NestInterceptor, Type, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable, tap } from 'rxjs';
import { headerRef } from './openapi/response-headers';

/** Where the tenant routes are served (create-app.ts mounts them under `api/v1`). */
export const API_BASE_PATH = '/api/v1';

/** The URL of a resource of `collection`: `/api/v1/tasks/<id>`. */
export function resourceUrl(collection: string, id: string): string {
  return `${API_BASE_PATH}/${collection}/${encodeURIComponent(id)}`;
}

/** Sets `Location` to the resource the route answered with (found by its `id`), before anything stores or sends the answer. */
class LocationInterceptor implements NestInterceptor {
  constructor(private readonly collection: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((body: unknown) => {
        const id = (body as { id?: unknown } | null | undefined)?.id;
        if (typeof id === 'string') void reply.header('Location', resourceUrl(this.collection, id));
      }),
    );
  }
}

/**
 * A route that creates one resource of `collection`: its 201 carries the resource (`type`) and
 * `Location: /api/v1/<collection>/<id>`, and the document says so. An upsert route that answers
 * 200 for a resource it already had sends the same `Location`.
 */
export function CreatedResponse(collection: string, type: Type<unknown>, description?: string): MethodDecorator {
  return applyDecorators(
    ApiCreatedResponse({ type, description, headers: { Location: headerRef('Location') } }),
    UseInterceptors(new LocationInterceptor(collection)),
  );
}
