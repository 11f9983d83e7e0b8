import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { AuthService, systemClock, type Clock } from './auth/service.ts';
import { AdminService } from './features/admin/service.ts';
import { AuditLogService } from './features/audit-log/service.ts';
import { ChildrenService } from './features/children/service.ts';
import { ApiTokenService } from './features/children/api/tokens.ts';

/** Services are built here from plain factories, so tests can swap the clock or the database. */
export interface Services {
  config: Config;
  db: Database;
  dbKind: 'embedded' | 'server';
  clock: Clock;
  cookieSecret: string;
  auth: AuthService;
  admin: AdminService;
  auditLog: AuditLogService;
  children: ChildrenService;
  apiTokens: ApiTokenService;
}

export function createServices(options: {
  config: Config;
  db: Database;
  dbKind: 'embedded' | 'server';
  cookieSecret: string;
  clock?: Clock;
}): Services {
  const clock = options.clock ?? systemClock;
  return {
    ...options,
    clock,
    auth: new AuthService(options.db, clock, options.config.session),
    admin: new AdminService(options.db, clock),
    auditLog: new AuditLogService(options.db),
    children: new ChildrenService(options.db, clock),
    apiTokens: new ApiTokenService(options.db, clock),
  };
}
