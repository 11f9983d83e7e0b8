import { accountFeature } from './account/routes.ts';
import { adminFeature } from './admin/routes.ts';
import { assuranceFeature } from './assurance/routes.ts';
import { auditLogFeature } from './audit-log/routes.ts';
import { caseAuditsFeature } from './case-audits/routes.ts';
import { caseworkFeature } from './casework/routes.ts';
import { caseworkApi } from './casework/api/routes.ts';
import { disclosureFeature } from './disclosure/routes.ts';
import { flagsApi } from './children/api/flags.ts';
import { childrenApi } from './children/api/routes.ts';
import { childrenFeature } from './children/routes.ts';
import { healthFeature } from './health/routes.ts';
import { homeFeature } from './home/routes.ts';
import { disruptionsApi } from './intelligence/api/disruption-routes.ts';
import { intelligenceApi } from './intelligence/api/routes.ts';
import { intelligenceFeature } from './intelligence/routes.ts';
import { linkageFeature } from './linkage/routes.ts';
import { duplicatesFeature } from './linkage/live/routes.ts';
import { maceApi } from './mace/api/routes.ts';
import { maceFeature } from './mace/routes.ts';
import { pagesFeature } from './pages/routes.ts';
import { selfAssessmentFeature } from './self-assessment/routes.ts';
import { retentionFeature } from './retention/routes.ts';
import { subjectAccessFeature } from './subject-access/routes.ts';
import { lifecycleFeature } from './lifecycle/routes.ts';
import { dataRightsFeature } from './data-rights/routes.ts';
import { profileApi } from './profile/api/routes.ts';
import { profileFeature } from './profile/routes.ts';
import { signInFeature } from './sign-in/routes.ts';
import { strategyFeature } from './strategy/routes.ts';
import { apiFeature } from '../web/api/host.ts';
import type { Feature } from './feature.ts';

/** Every feature the web server serves, in one list. */
export const features: Feature[] = [
  healthFeature,
  signInFeature,
  accountFeature,
  homeFeature,
  adminFeature,
  disclosureFeature,
  retentionFeature,
  subjectAccessFeature,
  lifecycleFeature,
  dataRightsFeature,
  auditLogFeature,
  pagesFeature,
  caseworkFeature,
  childrenFeature,
  linkageFeature,
  apiFeature([childrenApi, flagsApi, caseworkApi, intelligenceApi, disruptionsApi, maceApi, profileApi]),
  strategyFeature,
  assuranceFeature,
  caseAuditsFeature,
  selfAssessmentFeature,
  intelligenceFeature,
  maceFeature,
  profileFeature,
  duplicatesFeature,
];
