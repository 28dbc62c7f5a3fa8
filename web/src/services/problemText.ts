// The API's field errors in the reader's language: each `code` and its parameters
// (docs/api.md, "Field errors") become a sentence; the server's English `message` is kept as the
// detail where it says more than the code does (which cron field, which URL part).

import type { MessageKey } from '../locales/en-US';
import type { Translate } from '../locales/context';
import type { ProblemField } from './types';

type Code = ProblemField['code'];

/** Codes whose English message names what exactly is wrong, beyond the code and parameters. */
const DETAILED: ReadonlySet<Code> = new Set<Code>(['invalid_cron', 'invalid_format', 'egress_refused', 'invalid', 'reserved']);

/** The message key for a code with the parameters the server sent (`out_of_range` has 3 forms). */
function keyFor(error: ProblemField): MessageKey {
  if (error.code === 'out_of_range') {
    if (error.min !== undefined && error.max !== undefined) return 'fieldError.out_of_range';
    if (error.min !== undefined) return 'fieldError.out_of_range.min';
    if (error.max !== undefined) return 'fieldError.out_of_range.max';
    return 'fieldError.out_of_range.none';
  }
  return `fieldError.${error.code}` as MessageKey;
}

/** The translated sentence for one field error, without the field's name. */
export function fieldErrorText(error: ProblemField, t: Translate): string {
  const text = t(keyFor(error), {
    min: error.min ?? '',
    max: error.max ?? '',
    expected: error.expected ? t(`fieldError.type.${error.expected}` as MessageKey) : '',
    allowed: (error.allowed ?? []).join(', '),
    period: error.period ?? '',
  });
  const detail = error.message.trim();
  return DETAILED.has(error.code) && detail ? t('fieldError.withDetail', { text, detail }) : text;
}

/**
 * One sentence per problem of a field: errors of one field with the same code (a bad cron
 * judged by two checks) read as the first one, not as several wordings of it.
 */
export function distinctTexts(errors: ProblemField[], t: Translate): string[] {
  const seen = new Set<Code>();
  const texts: string[] = [];
  for (const error of errors) {
    if (seen.has(error.code)) continue;
    seen.add(error.code);
    texts.push(fieldErrorText(error, t));
  }
  return texts;
}
