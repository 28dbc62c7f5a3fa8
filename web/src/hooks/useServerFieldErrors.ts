import type { FormInstance } from 'antd';
import { useCallback, useState } from 'react';
import { type Translate, useT } from '../locales/context';
import { type FieldPath, placeErrors } from '../pages/system/alerts/model';
import { errorMessage } from '../pages/system/scheduled-tasks/list/apiErrors';

/** Where a form shows what a submit did: its fields' errors, the banner's lines, whether it is saving. */
export interface SubmitOutlet {
  setFields: (fields: { name: FieldPath; errors: string[] }[]) => void;
  setBanner: (lines: string[]) => void;
  setSaving: (saving: boolean) => void;
}

/**
 * Sends a validated form's values. A refusal's field errors go under the fields `place` finds
 * for them and the rest into the banner; an error without field errors is the banner's one line.
 * Resolves either way (a failed validation rejects, as antd's `validateFields` does).
 */
export async function submitPlacingErrors<V>(
  validate: () => Promise<V>,
  send: (values: V) => Promise<unknown>,
  place: (path: FieldPath) => FieldPath | null,
  t: Translate,
  outlet: SubmitOutlet,
): Promise<void> {
  const values = await validate();
  outlet.setSaving(true);
  outlet.setBanner([]);
  try {
    await send(values);
  } catch (error) {
    const placed = placeErrors(error, t, place);
    if (placed) {
      outlet.setFields(placed.fields);
      outlet.setBanner(placed.unmatched);
    } else {
      outlet.setBanner([errorMessage(error, t)]);
    }
  } finally {
    outlet.setSaving(false);
  }
}

/**
 * A form's submit with the server's refusals under their fields (`place` maps the API's field
 * path to the form's), the others in `banner`; `saving` while the request runs.
 */
export function useServerFieldErrors<V>(form: FormInstance<V>, place: (path: FieldPath) => FieldPath | null) {
  const t = useT();
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<string[]>([]);
  const submit = useCallback(
    (send: (values: V) => Promise<unknown>) =>
      submitPlacingErrors(() => form.validateFields(), send, place, t, {
        setFields: (fields) => form.setFields(fields as Parameters<FormInstance<V>['setFields']>[0]),
        setBanner,
        setSaving,
      }),
    [form, place, t],
  );
  return { saving, banner, submit };
}
