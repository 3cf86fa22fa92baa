/** The import cannot go on: the message says why in one line (exit code 1). */
export class LegacyImportError extends Error {}

/** The command line is wrong (exit code 2). */
export class LegacyImportUsageError extends LegacyImportError {}
