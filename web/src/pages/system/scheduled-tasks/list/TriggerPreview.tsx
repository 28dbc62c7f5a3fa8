import { WarningOutlined } from '@ant-design/icons';
import { Card, Form, Spin, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useT } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';
import { tasksApi } from '../../../../services/tasks';
import type { Occurrence, PreviewResponse } from '../../../../services/types';
import { dayjs, formatLocal, sameOffsetAsBrowser, splitZonedLocal } from '../../../../utils/time';
import { fieldErrorText } from '../../../../services/problemText';
import { errorMessage } from './apiErrors';
import { fieldErrorsFromProblem, type FormField } from './fieldErrors';
import { previewRequest, type TaskFormValues } from './formModel';

/** Wall time of an occurrence in `zone`: the server's own `local` for cron (its zone). */
function wallTime(occurrence: Occurrence, serverZone: string, zone: string) {
  if (serverZone === zone) return splitZonedLocal(occurrence.local);
  const d = dayjs(occurrence.at).tz(zone);
  return { date: d.format('YYYY-MM-DD'), time: d.format(d.second() ? 'HH:mm:ss' : 'HH:mm'), offset: d.format('Z') };
}

function OccurrenceRow({ occurrence, serverZone, zone }: { occurrence: Occurrence; serverZone: string; zone: string }) {
  const t = useT();
  const wall = wallTime(occurrence, serverZone, zone);
  const weekday = dayjs(wall.date).format('ddd');
  return (
    <li className={occurrence.dst_transition_day ? 'preview-dst' : undefined} data-dst={occurrence.dst_transition_day}>
      <span className="preview-time">
        {wall.date} {weekday} <b>{wall.time}</b>
      </span>
      <Typography.Text type="secondary">UTC{wall.offset}</Typography.Text>
      {!sameOffsetAsBrowser(occurrence.at, zone) && (
        <Typography.Text type="secondary">({t('preview.yourTime', { time: formatLocal(occurrence.at) })})</Typography.Text>
      )}
      {occurrence.dst_transition_day && (
        <Tooltip title={t('preview.dstTip')}>
          <Tag color="orange" icon={<WarningOutlined />} data-testid="dst-tag">
            {t('preview.dst')}
          </Tag>
        </Tooltip>
      )}
    </li>
  );
}

interface Result {
  key: string;
  preview?: PreviewResponse;
  /** Why there is no preview: text to show, or null when the fields above say it. */
  error?: string | null;
}

/**
 * The next five instants, computed by the server's own schedule code (`POST /preview`), so
 * what the user sees is exactly what the engine will do, DST included.
 */
export function TriggerPreview() {
  const t = useT();
  const form = Form.useFormInstance<TaskFormValues>();
  const values = Form.useWatch<Partial<TaskFormValues>>([], { form, preserve: true });
  const request = useMemo(() => (values ? previewRequest(values) : null), [values]);
  const key = request ? JSON.stringify(request) : '';
  const [result, setResult] = useState<Result | null>(null);

  useEffect(() => {
    if (!key) return undefined;
    const controller = new AbortController();
    // Debounced: one call when the user pauses typing, not one per keystroke.
    const timer = window.setTimeout(() => {
      tasksApi
        .preview(JSON.parse(key), controller.signal)
        .then((preview) => setResult({ key, preview }))
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          // A field's problem is said once, under the field, in the words a save would use;
          // the preview only says why it shows nothing.
          const { fields, unmatched } = fieldErrorsFromProblem(error instanceof ApiError ? error.problem : null, t);
          const names = Object.keys(fields) as FormField[];
          if (names.length) form.setFields(names.map((name) => ({ name, errors: fields[name] ?? [] })));
          const rest = unmatched.map((e) => fieldErrorText(e, t));
          setResult({
            key,
            error: rest.length ? rest.join('; ') : names.length ? null : errorMessage(error, t),
          });
        });
    }, 350);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [key, form, t]);

  const zone = values?.timezone || 'UTC';
  // While a new answer is on its way the previous one stays, dimmed, instead of flickering.
  const stale = !key || result?.key !== key;
  const preview = key ? result?.preview : undefined;
  const error = key ? result?.error : undefined;
  const blocked = error === null;
  return (
    <Card
      size="small"
      title={t('preview.title')}
      extra={key && stale ? <Spin size="small" /> : null}
      className="trigger-preview"
      data-testid="trigger-preview"
      data-state={stale ? 'stale' : error || blocked ? 'error' : 'ok'}
      style={{ marginBottom: 16 }}
    >
      <div style={{ opacity: stale ? 0.5 : 1 }}>
        {error && <Typography.Text type="danger">{t('preview.invalid', { error })}</Typography.Text>}
        {blocked && <Typography.Text type="secondary">{t('preview.blocked')}</Typography.Text>}
        {!error && !blocked && preview && preview.occurrences.length === 0 && (
          <Typography.Text type="secondary">{t('preview.none')}</Typography.Text>
        )}
        {!error && preview && preview.occurrences.length > 0 && (
          <ol className="preview-list">
            {preview.occurrences.map((o) => (
              <OccurrenceRow key={o.at} occurrence={o} serverZone={preview.timezone} zone={zone} />
            ))}
          </ol>
        )}
        {!preview && error === undefined && <Typography.Text type="secondary">{t('preview.loading')}</Typography.Text>}
      </div>
    </Card>
  );
}
