import { Alert, Form, Input, Modal, Radio } from 'antd';
import { useState } from 'react';
import { useT } from '../../../locales/context';
import { errorMessage } from '../scheduled-tasks/list/apiErrors';
import { alertsApi, type Channel } from './api';
import { useAlertsT } from './messages';
import { channelRequest, placeChannelField, placeErrors, type ChannelFormValues } from './model';

/** A new channel: a webhook URL or email recipients; the server's refusals go under their fields. */
export function ChannelModal({ onCreated, onClose }: { onCreated: (channel: Channel) => void; onClose: () => void }) {
  const a = useAlertsT();
  const t = useT();
  const [form] = Form.useForm<ChannelFormValues>();
  const kind = Form.useWatch('kind', form) ?? 'webhook';
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<string[]>([]);
  const required = [{ required: true, whitespace: true, message: a('channel.required') }];

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    setBanner([]);
    try {
      onCreated(await alertsApi.createChannel(channelRequest(values)));
    } catch (error) {
      const placed = placeErrors(error, t, placeChannelField);
      if (placed) {
        form.setFields(placed.fields as Parameters<typeof form.setFields>[0]);
        setBanner(placed.unmatched);
      } else {
        setBanner([errorMessage(error, t)]);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={a('channels.new')}
      okText={a('save')}
      cancelText={a('cancel')}
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'channel-save' }}
    >
      {banner.length > 0 && <Alert type="error" showIcon message={banner.join('; ')} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ kind: 'webhook' }} data-testid="channel-form">
        <Form.Item name="name" label={a('channel.name')} rules={required}>
          <Input maxLength={100} data-testid="channel-name" />
        </Form.Item>
        <Form.Item name="kind" label={a('channel.kind')}>
          <Radio.Group
            data-testid="channel-kind"
            optionType="button"
            options={[
              { value: 'webhook', label: a('channel.kind.webhook') },
              { value: 'email', label: a('channel.kind.email') },
            ]}
          />
        </Form.Item>
        {kind === 'webhook' ? (
          <Form.Item name="url" label={a('channel.url')} rules={required}>
            <Input placeholder={a('channel.url.placeholder')} data-testid="channel-url" />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="to" label={a('channel.to')} rules={required}>
              <Input.TextArea rows={2} placeholder={a('channel.to.placeholder')} data-testid="channel-to" />
            </Form.Item>
            <Alert type="info" showIcon message={a('channel.email.relay')} />
          </>
        )}
      </Form>
    </Modal>
  );
}
