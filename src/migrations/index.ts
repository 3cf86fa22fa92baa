import { MigrationInterface } from 'typeorm';
import { Foundation1795313603524 } from './1795313603524-Foundation';
import { AgentSystemDomain1795315770799 } from './1795315770799-AgentSystemDomain';
import { Outbox1795316079948 } from './1795316079948-Outbox';
import { Knowledge1795319639414 } from './1795319639414-Knowledge';
import { RowLevelSecurity1795324113659 } from './1795324113659-RowLevelSecurity';
import { Integrations1795324240089 } from './1795324240089-Integrations';
import { ApiKeyLifecycle1795325722780 } from './1795325722780-ApiKeyLifecycle';
import { LegacyImports1795327862055 } from './1795327862055-LegacyImports';
import { InsightTopMatches1795329698849 } from './1795329698849-InsightTopMatches';
import { IdempotencyKeys1796546080976 } from './1796546080976-IdempotencyKeys';
import { AgentKeysAndFractionalDurations1796546377390 } from './1796546377390-AgentKeysAndFractionalDurations';
import { OutboxBatchedDrain1796546506449 } from './1796546506449-OutboxBatchedDrain';
import { EventCommitOrder1796552097450 } from './1796552097450-EventCommitOrder';
import { IntegratedObjectsPerCompany1796552780638 } from './1796552780638-IntegratedObjectsPerCompany';
import { SystemWorkFunctions1796556400000 } from './1796556400000-SystemWorkFunctions';
import { KeyAuthorship1796558479837 } from './1796558479837-KeyAuthorship';
import { KeyLookupActorOverride1796558600000 } from './1796558600000-KeyLookupActorOverride';
import { TenantPoliciesWithoutWildcard1796560000000 } from './1796560000000-TenantPoliciesWithoutWildcard';
import { RecordStatusIndexOfUnfinished1796570000000 } from './1796570000000-RecordStatusIndexOfUnfinished';
import { EventKeyInFeedOrder1796571000000 } from './1796571000000-EventKeyInFeedOrder';
import { OutboxClaimWalksItsIndex1796572000000 } from './1796572000000-OutboxClaimWalksItsIndex';
import { OutboxClaimOneTenant1796573000000 } from './1796573000000-OutboxClaimOneTenant';
import { OutboxClaimKeepsItsPlan1796574000000 } from './1796574000000-OutboxClaimKeepsItsPlan';
import { SweeperReadsOneWorkList1796575000000 } from './1796575000000-SweeperReadsOneWorkList';
import { SweeperSkipsHeldRecords1796576000000 } from './1796576000000-SweeperSkipsHeldRecords';

/** Every migration, in order. Listed explicitly for the same reason as the entities. */
export const migrations: (new () => MigrationInterface)[] = [
  Foundation1795313603524,
  AgentSystemDomain1795315770799,
  Outbox1795316079948,
  Knowledge1795319639414,
  RowLevelSecurity1795324113659,
  Integrations1795324240089,
  ApiKeyLifecycle1795325722780,
  LegacyImports1795327862055,
  InsightTopMatches1795329698849,
  IdempotencyKeys1796546080976,
  AgentKeysAndFractionalDurations1796546377390,
  OutboxBatchedDrain1796546506449,
  EventCommitOrder1796552097450,
  IntegratedObjectsPerCompany1796552780638,
  SystemWorkFunctions1796556400000,
  KeyAuthorship1796558479837,
  KeyLookupActorOverride1796558600000,
  TenantPoliciesWithoutWildcard1796560000000,
  RecordStatusIndexOfUnfinished1796570000000,
  EventKeyInFeedOrder1796571000000,
  OutboxClaimWalksItsIndex1796572000000,
  OutboxClaimOneTenant1796573000000,
  OutboxClaimKeepsItsPlan1796574000000,
  SweeperReadsOneWorkList1796575000000,
  SweeperSkipsHeldRecords1796576000000,
];
