/** What a tenant id may be (it appears in keys, logs and URLs): 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit (so never '*'). */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
