import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Faker, en_GB, en } from '@faker-js/faker';
import { sql, type Insertable } from 'kysely';
import { utcDate } from '../dates.ts';
import type { Children, Users } from '../db/types.generated.ts';
import { hashPassword } from '../auth/passwords.ts';
import { newTotpSecret } from '../auth/totp.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { AgencyKind, Role } from '../authz/roles.ts';
import { withSystem, type Tx } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import type { DemoSeedContext } from './feature-seed.ts';
import { featureScaleSeeds, featureSeeds } from './feature-seeds.ts';
import { seedIntelligenceSharing } from '../features/intelligence/seed-sharing.ts';
import type { ScaleSeedContext } from './scale.ts';

/** The two fictional neighbouring partnerships every demo and test starts with. */
export const demoPartnerships = [
  { code: 'northmere', name: 'Northmere Safeguarding Children Partnership', nation: 'wales' as const, place: 'Northmere' },
  { code: 'westbrook', name: 'Westbrook Safeguarding Children Partnership', nation: 'england' as const, place: 'Westbrook' },
];

const agencyPlan: { kind: AgencyKind; name: (place: string) => string }[] = [
  { kind: 'partnership', name: (p) => `${p} Partnership Team` },
  { kind: 'childrens_services', name: (p) => `${p} Council Children's Services` },
  { kind: 'police', name: () => 'Fenland Valley Police' },
  { kind: 'health', name: (p) => `${p} Health Board` },
  { kind: 'education', name: (p) => `${p} Schools Safeguarding Service` },
  { kind: 'youth_justice', name: (p) => `${p} Youth Justice Service` },
  { kind: 'voluntary', name: (p) => `${p} Young People's Trust` },
];

const teamPlan: Record<AgencyKind, string[]> = {
  partnership: ['Business unit'],
  childrens_services: ['Multi-agency safeguarding hub', 'Exploitation team', 'Looked after children team'],
  police: ['Public protection unit', 'Intelligence unit'],
  health: ['Safeguarding children team', 'Sexual health service'],
  education: ['Inclusion and attendance'],
  youth_justice: ['Prevention team'],
  voluntary: ['Return home interview service', 'Exploitation support workers'],
};

/** One demo account per role a newcomer wants to try, in each partnership. */
const accountPlan: { key: string; roles: Role[]; agency: AgencyKind; title: string }[] = [
  { key: 'admin', roles: ['partnership_admin'], agency: 'partnership', title: 'Partnership business manager' },
  { key: 'triage', roles: ['triage_worker'], agency: 'childrens_services', title: 'MASH triage social worker' },
  { key: 'social-worker', roles: ['practitioner'], agency: 'childrens_services', title: 'Social worker' },
  { key: 'police', roles: ['practitioner'], agency: 'police', title: 'Detective constable' },
  { key: 'school', roles: ['practitioner'], agency: 'education', title: 'Designated safeguarding lead' },
  { key: 'coordinator', roles: ['coordinator'], agency: 'partnership', title: 'Exploitation co-ordinator' },
  { key: 'analyst', roles: ['analyst'], agency: 'police', title: 'Intelligence analyst' },
  { key: 'strategy', roles: ['strategy_lead'], agency: 'partnership', title: 'CSE strategy lead' },
  { key: 'councillor', roles: ['board_member'], agency: 'partnership', title: 'Scrutiny councillor' },
  { key: 'dpo', roles: ['dpo'], agency: 'partnership', title: 'Data protection officer' },
];

export interface DemoAccount {
  email: string;
  password: string;
  totpSecret: string;
  role: Role;
  partnership: string;
  agency: string;
}

/** Seeded so every run makes the same people; the seed is not a secret, credentials are random. */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en_GB, en] });
  faker.seed(seed);
  return faker;
}

const randomPassword = () => `demo-${crypto.randomBytes(9).toString('base64url')}`;

export async function isSeeded(db: Database): Promise<boolean> {
  const r = await withSystem(db, (tx) =>
    tx
      .selectFrom('partnerships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  return Number(r.n) > 0;
}

/** Creates the demo partnerships, agencies, accounts and sharing agreement. Returns the accounts' credentials. */
/** Runs as the owner (db is the owner's connection); TOTP secrets are sealed with box as sign-in expects. */
export async function seedDemo(db: Database, box: SecretBox): Promise<DemoAccount[]> {
  const faker = seededFaker(20161);
  const accounts: DemoAccount[] = [];
  const prepared: { partnership: string; account: (typeof accountPlan)[number] & { key: string }; password: string; hash: string; totp: string }[] = [];
  for (const p of demoPartnerships) {
    for (const a of [
      ...accountPlan,
      ...(p.code === 'northmere'
        ? [{ key: 'sysadmin', roles: ['system_admin'] as Role[], agency: 'partnership' as AgencyKind, title: 'Lantern system administrator' }]
        : []),
    ]) {
      const password = randomPassword();
      prepared.push({ partnership: p.code, account: a, password, hash: await hashPassword(password), totp: newTotpSecret() });
    }
  }
  await withSystem(db, async (tx) => {
    const ids: Record<string, { id: string; agencies: Record<string, { id: string; name: string }>; users: Record<string, string> }> = {};
    for (const p of demoPartnerships) {
      const partnership = await tx
        .insertInto('partnerships')
        .values({ code: p.code, name: p.name, nation: p.nation, offers_welsh: p.nation === 'wales' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const agencies: Record<string, { id: string; name: string }> = {};
      for (const a of agencyPlan) {
        const name = a.name(p.place);
        const row = await tx.insertInto('agencies').values({ partnership_id: partnership.id, kind: a.kind, name }).returning('id').executeTakeFirstOrThrow();
        agencies[a.kind] = { id: row.id, name };
        for (const team of teamPlan[a.kind]) {
          await tx.insertInto('teams').values({ partnership_id: partnership.id, agency_id: row.id, name: team }).execute();
        }
      }
      ids[p.code] = { id: partnership.id, agencies, users: {} };
    }
    for (const item of prepared) {
      const p = ids[item.partnership]!;
      const agency = p.agencies[item.account.agency]!;
      const email = `${item.account.key}.${item.partnership}@lantern.example`;
      const id = crypto.randomUUID();
      const user = await tx
        .insertInto('users')
        .values({
          id,
          partnership_id: p.id,
          agency_id: agency.id,
          email,
          display_name: faker.person.fullName(),
          job_title: item.account.title,
          roles: item.account.roles,
          password_hash: item.hash,
          totp_secret: box.seal(id, item.totp),
          totp_enrolled_at: new Date(),
          started_on: '2024-09-02',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      p.users[item.account.key] = user.id;
      accounts.push({
        email,
        password: item.password,
        totpSecret: item.totp,
        role: item.account.roles[0]!,
        partnership: item.partnership,
        agency: agency.name,
      });
    }
    // Each feature adds its own synthetic records for both partnerships (src/seed/feature-seeds.ts).
    const seedContext: DemoSeedContext = {
      faker,
      partnerships: Object.fromEntries(
        Object.entries(ids).map(([code, p]) => [
          code,
          {
            id: p.id,
            code,
            agencies: Object.fromEntries(Object.entries(p.agencies).map(([k, a]) => [k, a.id])),
            users: p.users,
          },
        ]),
      ),
    };
    for (const featureSeed of featureSeeds) await featureSeed(tx, seedContext);
    // Northmere lets Westbrook's co-ordinator and analyst work on cross-border exploitation there.
    const northmere = ids.northmere!;
    const westbrook = ids.westbrook!;
    const agreement = await tx
      .insertInto('sharing_agreements')
      .values({
        partnership_id: northmere.id,
        recipient_partnership_id: westbrook.id,
        purpose: 'Joint work on children and persons of concern who move between Northmere and Westbrook',
        lawful_basis: 'UK GDPR Article 6(1)(e) and 9(2)(g); Data Protection Act 2018 Schedule 1 paragraph 18 (safeguarding of children)',
        starts_on: '2025-04-01',
        recorded_by: northmere.users.admin ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const key of ['coordinator', 'analyst']) {
      await tx
        .insertInto('partnership_access_grants')
        .values({
          partnership_id: northmere.id,
          agreement_id: agreement.id,
          user_id: westbrook.users[key]!,
          roles: [key === 'coordinator' ? 'coordinator' : 'analyst'],
          granted_by: northmere.users.admin ?? null,
        })
        .execute();
    }
    // A person of concern of Northmere known in Westbrook, shared under the agreement (issue 12 §6).
    await seedIntelligenceSharing(tx, {
      agreementId: agreement.id,
      sharing: { id: northmere.id, analyst: northmere.users.analyst },
      receiving: { id: westbrook.id, analyst: westbrook.users.analyst },
    });
  });
  return accounts;
}

/**
 * Grows the data to a benchmark size: `children` child records spread over the demo
 * partnerships' agencies, plus one extra member of staff per 50 children. Deterministic.
 */
export async function seedScale(db: Database, children: number, log: (line: string) => void = () => {}): Promise<void> {
  const faker = seededFaker(7261);
  const started = Date.now();
  const agencies = await withSystem(db, (tx) =>
    tx
      .selectFrom('agencies')
      .select(['id', 'partnership_id', 'kind'])
      .where('kind', 'in', ['childrens_services', 'police', 'health', 'education', 'youth_justice', 'voluntary'])
      .orderBy('name')
      .execute(),
  );
  if (agencies.length === 0) throw new Error('Seed the demo first');
  const batch = 1000;
  const existing = await withSystem(db, (tx) =>
    tx
      .selectFrom('children')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  const offset = Number(existing.n);
  for (let start = 0; start < children; start += batch) {
    const rows: Insertable<Children>[] = [];
    for (let i = start; i < Math.min(children, start + batch); i++) {
      const agency = agencies[i % agencies.length]!;
      const sex = faker.helpers.arrayElement(['female', 'female', 'male'] as const);
      rows.push({
        partnership_id: agency.partnership_id,
        owning_agency_id: agency.id,
        reference: `C${String(offset + i + 1).padStart(7, '0')}`,
        given_name: faker.person.firstName(sex),
        family_name: faker.person.lastName(),
        date_of_birth: utcDate(faker.date.birthdate({ mode: 'age', min: 8, max: 17, refDate: new Date('2026-01-01') })),
      });
    }
    await withSystem(db, (tx) => tx.insertInto('children').values(rows).execute());
    if ((start / batch) % 20 === 0) log(`children: ${Math.min(children, start + batch)} of ${children}`);
  }
  const staff = Math.floor(children / 50);
  for (let start = 0; start < staff; start += batch) {
    const rows: Insertable<Users>[] = [];
    for (let i = start; i < Math.min(staff, start + batch); i++) {
      const agency = agencies[i % agencies.length]!;
      rows.push({
        partnership_id: agency.partnership_id,
        agency_id: agency.id,
        email: `staff${offset + i}.${agency.id.slice(0, 8)}@lantern.example`,
        display_name: faker.person.fullName(),
        roles: ['practitioner'],
        started_on: utcDate(faker.date.past({ years: 6, refDate: new Date('2026-01-01') })),
      });
    }
    await withSystem(db, (tx) =>
      tx
        .insertInto('users')
        .values(rows)
        .onConflict((oc) => oc.column('email').doNothing())
        .execute(),
    );
  }
  log(
    `seeded ${children} children and ${staff} staff in ${((Date.now() - started) / 1000).toFixed(1)} s (${Math.round((children + staff) / Math.max((Date.now() - started) / 1000, 0.001))} rows/s)`,
  );
  await seedScaleHistory(db, { from: offset + 1, to: offset + children }, log);
}

/**
 * History for scaled children C<from>…C<to>: each feature's scale seed in its own transaction
 * (src/seed/feature-seeds.ts), then ANALYZE. Returns the rows inserted and the time taken.
 */
export async function seedScaleHistory(
  db: Database,
  range: ScaleSeedContext,
  log: (line: string) => void = () => {},
): Promise<{ rows: number; seconds: number }> {
  const started = Date.now();
  let rows = 0;
  // Fresh statistics first: the set-based inserts join the new children and staff, and plan badly on a stale picture.
  await withSystem(db, (tx: Tx) => sql`ANALYZE children, users, agencies`.execute(tx));
  for (const feature of featureScaleSeeds) {
    const t = Date.now();
    const n = await withSystem(db, (tx) => feature.seed(tx, range));
    await withSystem(db, (tx: Tx) => sql`ANALYZE`.execute(tx));
    const s = (Date.now() - t) / 1000;
    rows += n;
    log(`${feature.name}: ${n} rows of history in ${s.toFixed(1)} s, with ANALYZE (${Math.round(n / Math.max(s, 0.001))} rows/s)`);
  }
  const seconds = (Date.now() - started) / 1000;
  log(`history: ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 0.001))} rows/s)`);
  return { rows, seconds };
}

export function writeDemoAccounts(dataDir: string, accounts: DemoAccount[]): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-accounts.json');
  fs.writeFileSync(file, JSON.stringify(accounts, null, 2), { mode: 0o600 });
  return file;
}

export function readDemoAccounts(dataDir: string): DemoAccount[] | null {
  const file = path.join(dataDir, 'demo-accounts.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DemoAccount[]) : null;
}

export function formatDemoAccounts(accounts: DemoAccount[]): string {
  const lines = accounts.map((a) => `  ${a.email.padEnd(42)} ${a.password.padEnd(20)} ${a.totpSecret.padEnd(34)} ${a.role}`);
  return [`  ${'email'.padEnd(42)} ${'password'.padEnd(20)} ${'TOTP secret'.padEnd(34)} role`, ...lines].join('\n');
}
