export const DEAD_LETTERS_USAGE = `dead-letters list [filters] [--limit 50] [--cursor C]
                                                  every tenant's dead letters, oldest first, with reason and attempts
dead-letters redrive (--ids <id,id,...> | [filters]) [--dry-run] [--cursor C] [--actor NAME]
                                                  put them back in line (attempts reset), at most ADMIN_REDRIVE_LIMIT
                                                  per run; --dry-run only counts; the actor (default cli:<user>) is audited
Filters: --tenant T --namespace N --schema S --handler namespace/schema --since 2026-01-31T12:00:00Z`;
