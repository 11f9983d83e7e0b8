import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { z } from 'zod';
import { dateFields } from '../../test/helpers/http.ts';
import { initI18n } from '../i18n/i18n.ts';
import { dateInput, dateRule, filterDateInput, gatherDateInputs, notInFuture, optionalDateInput, readDateTime } from './form-fields.ts';
import { formErrors } from './forms.ts';

before(async () => {
  await initI18n();
});

const actionForm = z
  .object({ dueOn: dateInput('dates.casework.actionDue'), startOn: optionalDateInput('dates.strategy.actionStarts') })
  .refine((v) => !v.startOn || v.startOn <= v.dueOn, dateRule('dueOn', 'strategy.validation.dueBeforeStart'));

/** A form as posted, its date inputs gathered as app.ts does, through the schema and the one error converter. */
function submit(schema: z.ZodType, form: Record<string, unknown>) {
  gatherDateInputs(form);
  const parsed = schema.safeParse(form);
  return parsed.success ? { data: parsed.data, errors: null } : { data: null, errors: formErrors({ issues: parsed.error.issues }) };
}

describe('the date input in the form layer', () => {
  test('the boxes are gathered into one value; other fields and the boxes themselves stay', () => {
    const form: Record<string, unknown> = { ...dateFields('dueOn', '2026-11-30'), note: 'x', 'bad-key': '1', '__proto__-day': '1' };
    gatherDateInputs(form);
    assert.deepEqual(form.dueOn, { day: '30', month: '11', year: '2026' });
    assert.equal(form['dueOn-day'], '30');
    assert.equal(form.note, 'x');
    assert.equal(Object.getPrototypeOf(form), Object.prototype, 'no field name reaches the prototype');
    gatherDateInputs(null);
    gatherDateInputs(['dueOn-day']);
  });

  test('a real date gives the ISO date (London calendar, no time)', () => {
    assert.deepEqual(submit(actionForm, { ...dateFields('dueOn', '2026-11-30'), ...dateFields('startOn', '') }).data, { dueOn: '2026-11-30', startOn: null });
    assert.deepEqual(submit(actionForm, { ...dateFields('dueOn', '2026-11-30') }).data, { dueOn: '2026-11-30', startOn: null }, 'an optional date not posted');
  });

  test('GOV.UK’s messages, each linking to the first box in error and naming the boxes to highlight', () => {
    const cases: [Record<string, string>, string, string, string[]][] = [
      [dateFields('dueOn', ''), 'Enter the date the action is due', '#dueOn-day', ['day', 'month', 'year']],
      [{ 'dueOn-day': '30', 'dueOn-month': '', 'dueOn-year': '2026' }, 'Due date must include a month', '#dueOn-month', ['month']],
      [{ 'dueOn-day': '', 'dueOn-month': '', 'dueOn-year': '2026' }, 'Due date must include a day and month', '#dueOn-day', ['day', 'month']],
      [{ 'dueOn-day': '30', 'dueOn-month': '11', 'dueOn-year': '26' }, 'Year must include 4 numbers', '#dueOn-year', ['year']],
      [dateFields('dueOn', '2026-04-31'), 'Due date must be a real date', '#dueOn-day', ['day', 'month']],
      [{ 'dueOn-day': '1', 'dueOn-month': '13', 'dueOn-year': '2026' }, 'Due date must be a real date', '#dueOn-month', ['month']],
    ];
    for (const [form, text, href, boxes] of cases) {
      const { errors } = submit(actionForm, form);
      assert.deepEqual(errors?.list, [{ text, href }], JSON.stringify(form));
      assert.deepEqual(errors?.fields.dueOn, { text, dateInput: boxes });
    }
  });

  test('a rule across two dates is on the later one, linking to its day box', () => {
    const { errors } = submit(actionForm, { ...dateFields('dueOn', '2026-11-01'), ...dateFields('startOn', '2026-12-01') });
    assert.equal(errors?.list[0]?.href, '#dueOn-day');
    assert.equal(errors?.list[0]?.text, 'The due date must be after the start date');
  });

  test('a check against today: "Date of birth must be today or in the past"', () => {
    const form = z.object({ dateOfBirth: optionalDateInput('dates.children.dateOfBirth', notInFuture) });
    assert.deepEqual(submit(form, dateFields('dateOfBirth', '2999-01-01')).errors?.list, [
      { text: 'Date of birth must be today or in the past', href: '#dateOfBirth-day' },
    ]);
    assert.deepEqual(submit(form, dateFields('dateOfBirth', '2012-05-01')).data, { dateOfBirth: '2012-05-01' });
  });

  test('a date and a time read as a London instant, each with its own message', () => {
    const form = z
      .object({ startDate: z.unknown().optional(), startTime: z.string().optional() })
      .transform((v, ctx) => readDateTime(v, 'start', 'dates.casework.started', ctx));
    assert.equal((submit(form, { ...dateFields('startDate', '2026-07-01'), startTime: '21:30' }).data as Date).toISOString(), '2026-07-01T20:30:00.000Z');
    assert.equal((submit(form, { ...dateFields('startDate', '2026-12-01'), startTime: '0930' }).data as Date).toISOString(), '2026-12-01T09:30:00.000Z');
    assert.deepEqual(submit(form, { ...dateFields('startDate', ''), startTime: '' }).errors?.list, [
      { text: 'Enter the date the episode started', href: '#startDate-day' },
      { text: 'Enter the time the episode started', href: '#startTime' },
    ]);
    assert.deepEqual(submit(form, { ...dateFields('startDate', '2026-12-01'), startTime: '25:00' }).errors?.list, [
      { text: 'Start time must be a real time on the 24-hour clock, like 21:30', href: '#startTime' },
    ]);
  });

  test('a filter in a query string: the boxes or an ISO date from a link; empty is no filter', () => {
    const query = z.object({ from: filterDateInput('dates.audit.from') });
    assert.deepEqual(submit(query, { from: '2026-01-31' }).data, { from: '2026-01-31' });
    assert.deepEqual(submit(query, dateFields('from', '2026-01-31')).data, { from: '2026-01-31' });
    assert.deepEqual(submit(query, {}).data, {});
    assert.deepEqual(submit(query, dateFields('from', '')).data, { from: undefined });
    assert.equal(submit(query, { from: '2026-02-30' }).errors?.list[0]?.text, 'From date must be a real date');
  });
});
