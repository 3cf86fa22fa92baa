/** The most items one bulk route takes, all written in one statement. */
export const MAX_BULK_ITEMS = 1000;
