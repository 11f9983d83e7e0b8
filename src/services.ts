import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { AuthService, systemClock, type Clock } from './auth/service.ts';
import { SecretBox } from './auth/secrets.ts';
import { RefusalAuditor } from './audit/refusals.ts';
import { AdminService } from './features/admin/service.ts';
import { AuditLogService } from './features/audit-log/service.ts';
import { ChildrenService } from './features/children/service.ts';
import { ApiTokenService } from './features/children/api/tokens.ts';
import { AssuranceService } from './features/assurance/service.ts';
import { CaseworkEditService } from './features/casework/edits.ts';
import { ReferralService } from './features/casework/referrals.ts';
import { CaseworkService } from './features/casework/service.ts';
import { StrategyService } from './features/strategy/service.ts';

/**
 * Every service is built here, once, from plain factories: routes take them from the Services they
 * are given, and tests can swap the clock, the database or any service.
 */
export interface Services {
  config: Config;
  /** Requests (lantern_app). */
  db: Database;
  /** Sign-in (lantern_auth). */
  authDb: Database;
  dbKind: 'embedded' | 'server';
  clock: Clock;
  cookieSecret: string;
  auth: AuthService;
  admin: AdminService;
  auditLog: AuditLogService;
  children: ChildrenService;
  apiTokens: ApiTokenService;
  refusals: RefusalAuditor;
  casework: CaseworkService;
  caseworkEdits: CaseworkEditService;
  referrals: ReferralService;
  strategy: StrategyService;
  assurance: AssuranceService;
}

export function createServices(options: {
  config: Config;
  db: Database;
  authDb: Database;
  dbKind: 'embedded' | 'server';
  cookieSecret: string;
  secretsKey: Buffer;
  clock?: Clock;
}): Services {
  const clock = options.clock ?? systemClock;
  const { secretsKey, ...rest } = options;
  return {
    ...rest,
    clock,
    auth: new AuthService(options.authDb, clock, options.config.session, new SecretBox(secretsKey)),
    admin: new AdminService(options.db, clock),
    auditLog: new AuditLogService(options.db),
    children: new ChildrenService(options.db, clock),
    apiTokens: new ApiTokenService(options.db, options.authDb, clock),
    refusals: new RefusalAuditor(options.db, clock),
    casework: new CaseworkService(options.db, clock),
    caseworkEdits: new CaseworkEditService(options.db, clock),
    referrals: new ReferralService(options.db, clock),
    strategy: new StrategyService(options.db, clock),
    assurance: new AssuranceService(options.db, clock),
  };
}
