import { Foundation1795313603524 } from './1795313603524-Foundation';
import { AgentSystemDomain1795315770799 } from './1795315770799-AgentSystemDomain';
import { Outbox1795316079948 } from './1795316079948-Outbox';
import { Knowledge1795319639414 } from './1795319639414-Knowledge';

/** Every migration, in order. Listed explicitly for the same reason as the entities. */
export const migrations: Function[] = [Foundation1795313603524, AgentSystemDomain1795315770799, Outbox1795316079948, Knowledge1795319639414];
