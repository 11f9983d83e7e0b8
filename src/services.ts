import type { Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { AuthService, systemClock, type Clock } from './auth/service.ts';
import { SecretBox } from './auth/secrets.ts';
import { OidcSignIn } from './auth/oidc.ts';
import { PdfPrinter } from './documents/pdf.ts';
import { RefusalAuditor } from './audit/refusals.ts';
import { AdminService } from './features/admin/service.ts';
import { AuditLogService } from './features/audit-log/service.ts';
import { DisclosureSettingsService } from './features/disclosure/service.ts';
import { RetentionService } from './features/retention/service.ts';
import { SubjectAccessService } from './features/subject-access/service.ts';
import { LifecycleService } from './features/lifecycle/service.ts';
import { DataRightsService } from './features/data-rights/service.ts';
import { AttendanceImportService } from './features/assurance/attendance-import.ts';
import { CampaignService } from './features/assurance/campaigns.ts';
import { DirectoryService } from './features/assurance/directory.ts';
import { ScrutinyService } from './features/assurance/scrutiny.ts';
import { CaseAuditService } from './features/case-audits/service.ts';
import { SelfAssessmentService } from './features/self-assessment/service.ts';
import { TrainingMeasureService } from './features/assurance/training-measures.ts';
import { TrainingService } from './features/assurance/training.ts';
import { ApiTokenService } from './features/children/api/tokens.ts';
import { ConcernService } from './features/children/concerns.ts';
import { CohortService } from './features/children/cohort.ts';
import { ChildFlagService } from './features/children/flags.ts';
import { ChildRecordService } from './features/children/records.ts';
import { RestrictionService } from './features/children/restrictions.ts';
import { SharingService } from './features/children/sharing.ts';
import { TriageService } from './features/children/triage.ts';
import { CaseworkEditService } from './features/casework/edits.ts';
import { ReferralService } from './features/casework/referrals.ts';
import { CaseworkService } from './features/casework/service.ts';
import { DisruptionService } from './features/intelligence/disruptions.ts';
import { IntelEventsService } from './features/intelligence/events.ts';
import { NetworkService } from './features/intelligence/network/service.ts';
import { IntelReportsService } from './features/intelligence/reports.ts';
import { IntelligenceService } from './features/intelligence/service.ts';
import { DuplicatesService } from './features/linkage/live/service.ts';
import { MaceService } from './features/mace/service.ts';
import { ProfileService } from './features/profile/service.ts';
import { IntelSharingService } from './features/intelligence/sharing.ts';
import { RecordMergeService } from './features/linkage/merges.ts';
import { HomeService } from './features/home/service.ts';
import { PlanExportService } from './features/strategy/exports.ts';
import { FrameworkService } from './features/strategy/frameworks.ts';
import { GlossaryService } from './features/strategy/glossary.ts';
import { PlanImportService } from './features/strategy/imports.ts';
import { MeasureService } from './features/strategy/measures.ts';
import { PlanService } from './features/strategy/plans.ts';
import { LinkageAskService } from './features/linkage/encoded/ask.ts';

/** The child record's services, one per sub-domain (API tokens are apiTokens). */
export interface ChildrenServices {
  concerns: ConcernService;
  triage: TriageService;
  records: ChildRecordService;
  sharing: SharingService;
  restrictions: RestrictionService;
  flags: ChildFlagService;
  cohort: CohortService;
  /** "Do you hold this child?" asked of a neighbouring partnership, by keyed Bloom filters (issue 14 §3). */
  linkageAsk: LinkageAskService;
}

/** Strategy plans' services, one per sub-domain. */
export interface StrategyServices {
  frameworks: FrameworkService;
  plans: PlanService;
  measures: MeasureService;
  glossary: GlossaryService;
  exports: PlanExportService;
  imports: PlanImportService;
}

/** Assurance's services, one per sub-domain. */
export interface AssuranceServices {
  training: TrainingService;
  attendanceImport: AttendanceImportService;
  trainingMeasures: TrainingMeasureService;
  campaigns: CampaignService;
  directory: DirectoryService;
  scrutiny: ScrutinyService;
}

/**
 * Every service is built here, once, from plain factories: routes take them from the Services they
 * are given, and tests can swap the clock, the database or any service. A feature spanning several
 * sub-domains gets a plain record of them (services.strategy.plans, services.children.triage …).
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
  /** Single sign-on with the organisation's OpenID Connect provider, when configured (issue 16 §1). */
  oidc: OidcSignIn | undefined;
  admin: AdminService;
  /** A partnership's disclosure control settings (issue 13 §2). */
  disclosure: DisclosureSettingsService;
  auditLog: AuditLogService;
  children: ChildrenServices;
  apiTokens: ApiTokenService;
  refusals: RefusalAuditor;
  casework: CaseworkService;
  /** What each role's home page summarises (issue 15 §4). */
  home: HomeService;
  caseworkEdits: CaseworkEditService;
  referrals: ReferralService;
  strategy: StrategyServices;
  assurance: AssuranceServices;
  /** Multi-agency case audits (issue 15 §1). */
  caseAudits: CaseAuditService;
  /** Board self-assessments against a framework (issue 15 §2). */
  selfAssessments: SelfAssessmentService;
  /** Retention schedules, legal holds and disposal runs (issue 16 §3). */
  retention: RetentionService;
  /** Subject access requests: the register, redaction and release (issue 16 §3). */
  subjectAccess: SubjectAccessService;
  /** Dormant accounts and the joiners and leavers feed (issue 16 §1). */
  lifecycle: LifecycleService;
  dataRights: DataRightsService;
  /** Persons of concern, locations, objects and their links (issue 12). */
  intelligence: IntelligenceService;
  /** Persons of concern and locations shared with neighbouring partnerships (issue 12 §6). */
  intelSharing: IntelSharingService;
  /** Graded intelligence reports (issue 12 §2). */
  intelReports: IntelReportsService;
  /** Disruption and outcomes (issue 12 §3). */
  disruptions: DisruptionService;
  /** Intelligence events: sightings, incidents, found locations of missing episodes (issue 12 §1). */
  intelEvents: IntelEventsService;
  /** The intelligence network, its clusters and paths, and hotspots (issue 12 §5). */
  intelNetwork: NetworkService;
  /** MACE meetings: VOLT agendas, minutes, actions, decisions and packs (issue 12 §4). */
  mace: MaceService;
  /** The problem profile: figures by period and area, trend, themes, areas compared (issue 13 §1). */
  profile: ProfileService;
  /** Merging duplicate children and persons of concern, and undoing it (issue 14 §2). */
  recordMerges: RecordMergeService;
  /** The duplicate review queue, its batch runs and entry-time matching (issue 14 §2). */
  duplicates: DuplicatesService;
  /** Prints documents' HTML as tagged PDFs (one Chromium per process, started on first use). */
  pdf: PdfPrinter;
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
    auth: new AuthService(options.authDb, clock, options.config.session, new SecretBox(secretsKey), {
      adminPasskeyRequired: options.config.passkeys.adminRequired,
      relyingParty: { rpId: options.config.passkeys.rpId, origins: options.config.passkeys.origins },
    }),
    oidc: options.config.oidc ? new OidcSignIn(options.config.oidc) : undefined,
    admin: new AdminService(options.db, clock, options.config.session.idleMinutes),
    disclosure: new DisclosureSettingsService(options.db),
    auditLog: new AuditLogService(options.db),
    children: {
      concerns: new ConcernService(options.db, clock),
      triage: new TriageService(options.db, clock),
      records: new ChildRecordService(options.db, clock),
      sharing: new SharingService(options.db, clock),
      restrictions: new RestrictionService(options.db, clock),
      flags: new ChildFlagService(options.db, clock),
      cohort: new CohortService(options.db, clock),
      linkageAsk: new LinkageAskService(options.db, clock, secretsKey),
    },
    apiTokens: new ApiTokenService(options.db, options.authDb, clock),
    refusals: new RefusalAuditor(options.db, clock),
    casework: new CaseworkService(options.db, clock),
    home: new HomeService(options.db, clock),
    caseworkEdits: new CaseworkEditService(options.db, clock),
    referrals: new ReferralService(options.db, clock),
    strategy: {
      frameworks: new FrameworkService(options.db),
      plans: new PlanService(options.db, clock),
      measures: new MeasureService(options.db, clock),
      glossary: new GlossaryService(options.db),
      exports: new PlanExportService(options.db, clock),
      imports: new PlanImportService(options.db, clock),
    },
    assurance: {
      training: new TrainingService(options.db),
      attendanceImport: new AttendanceImportService(options.db),
      trainingMeasures: new TrainingMeasureService(options.db, clock),
      campaigns: new CampaignService(options.db),
      directory: new DirectoryService(options.db, clock),
      scrutiny: new ScrutinyService(options.db, clock),
    },
    caseAudits: new CaseAuditService(options.db, clock),
    selfAssessments: new SelfAssessmentService(options.db, clock),
    retention: new RetentionService(options.db, clock),
    subjectAccess: new SubjectAccessService(options.db, clock),
    lifecycle: new LifecycleService(options.db, clock),
    dataRights: new DataRightsService(options.db, clock),
    intelligence: new IntelligenceService(options.db, clock),
    intelSharing: new IntelSharingService(options.db, clock),
    intelReports: new IntelReportsService(options.db, clock),
    disruptions: new DisruptionService(options.db, clock),
    intelEvents: new IntelEventsService(options.db, clock),
    intelNetwork: new NetworkService(options.db, clock, options.config.figuresMaxAgeSeconds),
    mace: new MaceService(options.db, clock),
    profile: new ProfileService(options.db, clock, options.config.figuresMaxAgeSeconds),
    recordMerges: new RecordMergeService(options.db, clock),
    duplicates: new DuplicatesService(options.db, clock),
    pdf: new PdfPrinter(options.config.chromiumPath),
  };
}
