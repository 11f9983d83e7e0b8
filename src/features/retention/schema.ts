import { z } from 'zod';
import { blankAsNull, dateInput, optionalDateInput } from '../../web/form-fields.ts';

/** The kinds of record a schedule and a hold name (migration 0600). */
export const retentionRecordTypes = ['closed_child', 'person_of_concern'] as const;
export type RetentionRecordType = (typeof retentionRecordTypes)[number];
export const retentionActions = ['delete', 'anonymise'] as const;
export const holdScopes = ['all', 'records', 'created_before'] as const;

const whole = (min: number, max: number, message: string) => z.coerce.number({ message }).int(message).min(min, message).max(max, message);

/** The partnership's retention schedule: both kinds of record on one form. */
export const scheduleFormSchema = z.object({
  keepUntilAge: whole(18, 100, 'retention.v.keepUntilAge'),
  yearsAfterClosure: whole(0, 100, 'retention.v.yearsAfterClosure'),
  childAction: z.enum(retentionActions, { message: 'retention.v.action' }),
  monthsAfterUpdate: whole(1, 1200, 'retention.v.monthsAfterUpdate'),
  personAction: z.enum(retentionActions, { message: 'retention.v.action' }),
});
export type ScheduleForm = z.infer<typeof scheduleFormSchema>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new legal hold. Record ids are pasted, one a line (or separated by commas or spaces). */
export const holdFormSchema = z
  .object({
    name: z.string().trim().min(1, 'retention.v.name').max(200, 'validation.tooLong'),
    reason: z.string().trim().min(1, 'retention.v.reason').max(2000, 'validation.tooLong'),
    scope: z.enum(holdScopes, { message: 'retention.v.scope' }),
    recordType: blankAsNull(z.enum(retentionRecordTypes, { message: 'retention.v.recordType' })).optional(),
    recordIds: z
      .string()
      .max(40_000, 'validation.tooLong')
      .optional()
      .transform((v) => [
        ...new Set(
          (v ?? '')
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((s) => s.toLowerCase()),
        ),
      ])
      .refine((ids) => ids.every((id) => uuidPattern.test(id)), 'retention.v.recordIds')
      .refine((ids) => ids.length <= 1000, 'retention.v.recordIdsMany'),
    createdBefore: optionalDateInput('dates.retention.createdBefore'),
    startsOn: dateInput('dates.retention.startsOn'),
  })
  .superRefine((form, ctx) => {
    if (form.scope === 'records' && form.recordIds.length === 0) ctx.addIssue({ code: 'custom', path: ['recordIds'], message: 'retention.v.recordIds' });
    if (form.scope === 'created_before' && !form.createdBefore) ctx.addIssue({ code: 'custom', path: ['createdBefore'], message: 'retention.v.createdBefore' });
  });
export type HoldForm = z.infer<typeof holdFormSchema>;
