import { DatePicker, Form, Input, InputNumber, Radio, Select, Space, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useLocale } from '../../../../locales/context';
import type { TriggerType } from '../../../../services/types';
import { describeCron } from '../../../../utils/cron';
import { timeZoneNames } from '../../../../utils/time';
import { INTERVAL_UNITS } from '../../../../utils/trigger';
import type { TaskFormValues } from './formModel';
import { TriggerPreview } from './TriggerPreview';

const CRON_EXAMPLES = ['0 0 * * *', '*/5 * * * *', '0 9 * * MON-FRI', '0 0 1 * *', '@hourly'];
const TRIGGER_TYPES: TriggerType[] = ['cron', 'interval', 'date'];

/**
 * The cron in words while it parses. One that does not gets no words of its own: the server's
 * judgement, from the preview, is the one message under the field.
 */
function CronDescription({ expression }: { expression: string | undefined }) {
  const { lang } = useLocale();
  if (!expression?.trim()) return null;
  const described = describeCron(expression, lang);
  return described.ok ? (
    <Typography.Text type="success" data-testid="cron-description">
      {described.text}
    </Typography.Text>
  ) : null;
}

/** The "When" section: fields change with the trigger type; the preview shows the result. */
export function TriggerFields() {
  const { t } = useLocale();
  const form = Form.useFormInstance<TaskFormValues>();
  const triggerType = Form.useWatch('trigger_type', form);
  const cron = Form.useWatch('cron', form);
  const zones = useMemo(() => timeZoneNames().map((z) => ({ value: z, label: z })), []);
  const required = { required: true, message: t('form.required') };

  return (
    <>
      <Form.Item name="trigger_type" label={t('form.triggerType')} rules={[required]}>
        <Radio.Group optionType="button" buttonStyle="solid" data-testid="trigger-type">
          {TRIGGER_TYPES.map((type) => (
            <Radio.Button key={type} value={type}>
              {t(`trigger.${type}`)}
            </Radio.Button>
          ))}
        </Radio.Group>
      </Form.Item>

      {triggerType === 'cron' && (
        <Form.Item
          name="cron"
          label={t('form.cron')}
          tooltip={t('form.cron.tooltip')}
          rules={[required]}
          extra={
            <Space direction="vertical" size={2}>
              <CronDescription expression={cron} />
              <Space size={4} wrap>
                <Typography.Text type="secondary">{t('form.cron.examples')}:</Typography.Text>
                {CRON_EXAMPLES.map((example) => (
                  <Tag key={example} className="mono" style={{ cursor: 'pointer' }} onClick={() => form.setFieldValue('cron', example)}>
                    {example}
                  </Tag>
                ))}
              </Space>
            </Space>
          }
        >
          <Input className="mono" placeholder="0 0 * * *" spellCheck={false} autoComplete="off" />
        </Form.Item>
      )}

      {triggerType === 'interval' && (
        <Form.Item label={t('form.interval')} required>
          <Space.Compact>
            {/* No `min` on the input: it would silently turn a typed 0 into 1; the rule says why instead. */}
            <Form.Item name="interval_value" noStyle rules={[required, { type: 'number', min: 1, message: t('form.interval.min') }]}>
              <InputNumber precision={0} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="interval_unit" noStyle>
              <Select
                style={{ width: 120 }}
                options={INTERVAL_UNITS.map((u) => ({ value: u, label: t(`form.unit.${u}`) }))}
              />
            </Form.Item>
          </Space.Compact>
        </Form.Item>
      )}

      {triggerType === 'date' && (
        <Form.Item name="at" label={t('form.at')} rules={[required]}>
          <DatePicker showTime={{ format: 'HH:mm:ss' }} format="YYYY-MM-DD HH:mm:ss" style={{ width: 220 }} />
        </Form.Item>
      )}

      <Form.Item
        name="timezone"
        label={t('form.timezone')}
        rules={[required]}
        extra={t(triggerType === 'cron' ? 'form.timezone.cronHelp' : 'form.timezone.dateHelp')}
      >
        <Select showSearch options={zones} style={{ maxWidth: 320 }} virtual />
      </Form.Item>

      <TriggerPreview />
    </>
  );
}
