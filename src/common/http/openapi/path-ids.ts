import type { OpenAPIObject, ParameterObject, PathItemObject } from '@nestjs/swagger';

/** A path parameter that names a resource: `id`, `agentId`... Every one is parsed by ParseIdPipe (a uuid or 400). */
const ID_PARAMETER = /^(id|[a-z]\w*Id)$/;

/** Says `format: uuid` on every id in a path, so clients and validators know its form without reading each route. */
export function documentPathIds(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values<PathItemObject>(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.patch, path.delete]) {
      for (const parameter of (operation?.parameters ?? []) as ParameterObject[]) {
        if (parameter.in !== 'path' || !ID_PARAMETER.test(parameter.name)) continue;
        parameter.schema = { ...parameter.schema, type: 'string', format: 'uuid' };
      }
    }
  }
  return document;
}
