import { describe, expect, it } from 'vitest';
import { dayjs } from '../../../../utils/time';
import { draftKey, draftText, readDraft } from './draft';
import { defaultValues, type TaskFormValues } from './formModel';

const values = (patch: Partial<TaskFormValues>): TaskFormValues => ({
  ...defaultValues('Asia/Shanghai'),
  name: 'Daily report',
  code: 'daily-report',
  ...patch,
});

describe('drafts', () => {
  it('keep everything typed but secret header values, and name the headers left out', () => {
    const text = draftText(
      values({
        headers: [
          { key: 'Authorization', value: 'Bearer s3cret-token' },
          { key: 'X-Trace', value: 'sk-abcdefghijklmnop' },
          { key: 'X-Api-Key', value: '••••op' },
          { key: 'Accept', value: 'application/json' },
        ],
      }),
      1000,
      4,
    );
    expect(text).not.toContain('s3cret-token');
    expect(text).not.toContain('sk-abcdefghijklmnop');
    const draft = readDraft(text);
    expect(draft?.values.headers).toEqual([
      { key: 'Authorization', value: '' },
      { key: 'X-Trace', value: '' },
      // A mask the server showed hides nothing, and sent back it keeps the stored secret.
      { key: 'X-Api-Key', value: '••••op' },
      { key: 'Accept', value: 'application/json' },
    ]);
    expect(draft?.secrets).toEqual(['Authorization', 'X-Trace']);
    expect(draft?.savedAt).toBe(1000);
    expect(draft?.version).toBe(4);
    expect(draft?.values.name).toBe('Daily report');
  });

  it('keep date-time pickers as the wall-clock time entered', () => {
    const draft = readDraft(draftText(values({ trigger_type: 'date', at: dayjs('2031-01-01T08:00:00'), start_at: null }), 0));
    expect(draft?.values.at?.format('YYYY-MM-DD HH:mm:ss')).toBe('2031-01-01 08:00:00');
    expect(draft?.values.start_at).toBeNull();
  });

  it('read nothing from a missing or unreadable draft', () => {
    expect(readDraft(null)).toBeNull();
    expect(readDraft('{')).toBeNull();
    expect(readDraft('{"values": null}')).toBeNull();
  });

  it('are kept per tenant and per form', () => {
    expect(draftKey(1, { mode: 'create' })).toBe('sundial.draft.1.create');
    expect(draftKey(2, { mode: 'edit', uuid: 'u' })).toBe('sundial.draft.2.edit.u');
    expect(draftKey(2, { mode: 'clone', uuid: 'u' })).toBe('sundial.draft.2.clone.u');
  });
});
