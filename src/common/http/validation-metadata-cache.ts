import { getMetadataStorage } from 'class-validator';

type Lookup = (target: object, schema: string | undefined, always: boolean, strictGroups: boolean, groups?: string[]) => unknown[];

interface Storage {
  getTargetValidationMetadatas: Lookup;
  addValidationMetadata(metadata: unknown): void;
  addConstraintMetadata(metadata: unknown): void;
}

/**
 * Remembers class-validator's answer to "which rules apply to this class": it computed it anew
 * for every object validated, walking every validated class of the app (60-odd) to find the
 * ancestors, which a bulk route paid a thousand times a request (a third of its validation). The
 * answer depends only on the class, the options and the rules declared, which are all declared
 * when the classes load; a rule declared later still empties the cache. Lookups with groups (the
 * app uses none) are not cached.
 */
export function cacheValidationMetadata(): void {
  const storage = getMetadataStorage() as unknown as Storage;
  if ((storage as { cached?: true }).cached) return;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  let cache = new Map<object, Map<string, unknown[]>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups && groups.length > 0) return lookup(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}`;
    let ofTarget = cache.get(target);
    if (!ofTarget) cache.set(target, (ofTarget = new Map()));
    let metadata = ofTarget.get(key);
    if (!metadata) ofTarget.set(key, (metadata = lookup(target, schema, always, strictGroups, groups)));
    return metadata;
  };
  storage.addValidationMetadata = (metadata) => {
    cache = new Map();
    add(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    cache = new Map();
    addConstraint(metadata);
  };
  (storage as { cached?: true }).cached = true;
}
