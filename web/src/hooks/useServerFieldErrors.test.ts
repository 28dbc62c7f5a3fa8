import { describe, expect, it } from 'vitest';
import { translator } from '../locales/translator';
import { placeChannelField, type FieldPath } from '../pages/system/alerts/model';
import { ApiError, NetworkError } from '../services/http';
import type { Problem } from '../services/types';
import { submitPlacingErrors } from './useServerFieldErrors';

const t = translator('en-US');

/** What a form would show, in the order it was told. */
function outlet() {
  const shown: { fields: { name: FieldPath; errors: string[] }[]; banner: string[]; saving: boolean[] } = { fields: [], banner: [], saving: [] };
  return {
    shown,
    setFields: (fields: { name: FieldPath; errors: string[] }[]) => shown.fields.push(...fields),
    setBanner: (lines: string[]) => (shown.banner = lines),
    setSaving: (saving: boolean) => shown.saving.push(saving),
  };
}

const refused = (errors: Problem['errors']) =>
  new ApiError(422, { type: 'about:blank', title: 'Unprocessable', status: 422, code: 'validation_failed', detail: 'invalid', errors } as Problem, '422');

describe('submitPlacingErrors', () => {
  it('sends the validated values, saving meanwhile, and leaves no banner', async () => {
    const out = outlet();
    const sent: unknown[] = [];
    await submitPlacingErrors(async () => ({ name: 'ops' }), async (values) => sent.push(values), placeChannelField, t, out);
    expect(sent).toEqual([{ name: 'ops' }]);
    expect(out.shown).toEqual({ fields: [], banner: [], saving: [true, false] });
  });

  it('puts field errors under their fields and the others in the banner', async () => {
    const out = outlet();
    const error = refused([
      { field: 'url', code: 'invalid_url', message: 'not a URL' },
      { field: 'secret', code: 'required', message: 'required' },
    ] as Problem['errors']);
    await submitPlacingErrors(async () => ({}), () => Promise.reject(error), placeChannelField, t, out);
    expect(out.shown.fields.map((f) => f.name)).toEqual([['url']]);
    expect(out.shown.fields[0].errors).toHaveLength(1);
    expect(out.shown.banner).toHaveLength(1);
    expect(out.shown.banner[0]).toMatch(/^secret: /);
    expect(out.shown.saving).toEqual([true, false]);
  });

  it('shows an error without field errors as the banner’s one line', async () => {
    const out = outlet();
    await submitPlacingErrors(async () => ({}), () => Promise.reject(new NetworkError(new Error('down'))), placeChannelField, t, out);
    expect(out.shown.fields).toEqual([]);
    expect(out.shown.banner).toEqual([t('error.offline')]);
    expect(out.shown.saving).toEqual([true, false]);
  });

  it('sends nothing when the form does not validate', async () => {
    const out = outlet();
    const sent: unknown[] = [];
    await expect(submitPlacingErrors(() => Promise.reject(new Error('invalid')), async (v) => sent.push(v), placeChannelField, t, out)).rejects.toThrow('invalid');
    expect(sent).toEqual([]);
    expect(out.shown.saving).toEqual([]);
  });
});
