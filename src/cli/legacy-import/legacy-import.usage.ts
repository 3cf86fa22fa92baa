import { LEGACY_TYPES } from './legacy-types';

export const DEFAULT_BATCH_SIZE = 1000;
export const MAX_BATCH_SIZE = 10_000;

const typeLines = LEGACY_TYPES.map(({ type, route, fields }) => `      ${type.padEnd(17)} ${route.padEnd(25)} ${fields}`).join('\n');

export const IMPORT_LEGACY_USAGE = `import-legacy --from <source> --table <name> [--mapping <name|file.json>] [--tenant <tenant>] [--dry-run | --verify | --cleanup] [--batch-size <n>]
import-legacy --from <dir|file,…> --integrated-objects [--tenant <tenant>] [--dry-run | --verify | --cleanup] [--batch-size <n>]
    Imports a legacy table of JSON objects into the typed tables (docs/migrating-data.md).
    --from <source>     a postgres:// URL, a SQLite file, or an agent-ledger data directory (embedded database)
    --table <name>      the legacy table ("schema.table" in PostgreSQL); optional when the mapping names one
    --mapping <m>       how a table of another shape reads: a shipped mapping (orion) or a JSON file
    --integrated-objects  --from names per-company SQLite integration stores (files, or directories of them,
                        comma-separated): table integrated_objects, the company from company_id or the file name
    --tenant <tenant>   the tenant the rows are imported for (default "default")
    --dry-run           print what would be created and every row that would be rejected; write nothing
    --verify            compare every imported row with its source row and its target row
    --cleanup           verify, then (only if verify passes) delete the imported rows from the legacy table
    --batch-size <n>    rows per transaction, 1-${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})
    The legacy table: id (text or uuid, unique), type (text), data (json/jsonb; JSON text in SQLite),
    created_at and updated_at (timestamps; ISO-8601 text in SQLite; no zone means UTC).
    Types, in import order; data is the body of the route, and fields marked * hold LEGACY ids:
${typeLines}
    A task without workflowId goes to its parent's workflow, or else to one holding workflow per
    tenant and table. Rows of other types are rejected. Re-running imports only what is missing.
    Exit codes: 0 done; 1 rows rejected, verify found differences, cleanup refused, or an error; 2 usage.`;
