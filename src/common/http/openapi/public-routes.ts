import type { OpenAPIObject, PathItemObject } from '@nestjs/swagger';

/**
 * Says `security: []` on every operation that declares no security (health, metrics): they are
 * public, and a reader of the document should not have to guess it from the absence of a key.
 */
export function markPublicRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values<PathItemObject>(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.patch, path.delete]) {
      if (operation && operation.security === undefined) operation.security = [];
    }
  }
  return document;
}
