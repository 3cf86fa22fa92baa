/** Names a field of item `index` of a request body: the field itself for a single item, `items.<index>.<field>` in a bulk one. */
export type FieldPath = (index: number, field: string) => string;

export const singleItem: FieldPath = (_index, field) => field;
export const bulkItem: FieldPath = (index, field) => `items.${index}.${field}`;
