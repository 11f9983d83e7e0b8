import { formatDate, type IsoDate } from '../../dates.ts';
import { currentLanguage, requestTranslator } from '../../i18n/i18n.ts';
import type { SourceRecordKind } from './schema.ts';

const t = requestTranslator();

/** A casework record as a link or an event names its source, in the reader's language: "Return interview 12 March 2026". */
export const describeSource = (kind: SourceRecordKind, on: IsoDate) => t(`intelligence.capture.source.${kind}`, { date: formatDate(on, currentLanguage()) });
