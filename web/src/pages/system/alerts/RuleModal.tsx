import { Alert, Form, InputNumber, Modal, Select } from 'antd';
import { useServerFieldErrors } from '../../../hooks/useServerFieldErrors';
import type { Channel, RuleRequest } from './api';
import { useAlertsT } from './messages';
import { EVENTS, placeRuleField, ruleRequest, thresholdOf, type RuleFormValues } from './model';

/** A new rule: event, channel, threshold where the event takes one, throttle window. */
export function RuleModal({ channels, onSubmit, onClose }: {
  channels: Channel[];
  onSubmit: (rule: RuleRequest) => Promise<unknown>;
  onClose: () => void;
}) {
  const a = useAlertsT();
  const [form] = Form.useForm<RuleFormValues>();
  const event = Form.useWatch('event', form);
  const { saving, banner, submit } = useServerFieldErrors(form, placeRuleField);
  const threshold = thresholdOf(event);

  return (
    <Modal
      open
      title={a('rules.add')}
      okText={a('save')}
      cancelText={a('cancel')}
      confirmLoading={saving}
      onOk={() =>
        void submit(async (values) => {
          await onSubmit(ruleRequest(values));
          onClose();
        })
      }
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'rule-save' }}
    >
      {banner.length > 0 && <Alert type="error" showIcon message={banner.join('; ')} style={{ marginBottom: 12 }} />}
      {channels.length === 0 && <Alert type="warning" showIcon message={a('rules.noChannel')} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ event: 'run.failed', channel: channels[0]?.uuid }} data-testid="rule-form">
        <Form.Item name="event" label={a('rule.event')} rules={[{ required: true, message: a('channel.required') }]}>
          <Select
            data-testid="rule-event"
            options={EVENTS.map((e) => ({ value: e, label: a(`event.${e}`) }))}
            onChange={() => form.setFields([{ name: 'threshold', value: null, errors: [] }])}
          />
        </Form.Item>
        <Form.Item name="channel" label={a('rule.channel')} rules={[{ required: true, message: a('channel.required') }]}>
          <Select data-testid="rule-channel" options={channels.map((c) => ({ value: c.uuid, label: c.name }))} />
        </Form.Item>
        {threshold !== 'none' && (
          <Form.Item
            name="threshold"
            label={a(threshold === 'required' ? 'rule.threshold.slow' : 'rule.threshold.failures')}
            rules={threshold === 'required' ? [{ required: true, message: a('channel.required') }] : []}
          >
            <InputNumber min={1} precision={0} style={{ width: 200 }} placeholder={threshold === 'optional' ? '1' : undefined} data-testid="rule-threshold" />
          </Form.Item>
        )}
        <Form.Item name="throttle_seconds" label={a('rule.throttle')} extra={a('rule.throttle.hint')}>
          <InputNumber precision={0} style={{ width: 200 }} placeholder="900" data-testid="rule-throttle" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
