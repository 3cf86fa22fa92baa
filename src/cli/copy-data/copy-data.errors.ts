/** The copy cannot start, or cannot go on: printed as one line, exit code 1. */
export class CopyDataError extends Error {}
