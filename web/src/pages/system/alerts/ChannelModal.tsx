import { Alert, Form, Input, Modal, Radio } from 'antd';
import { useServerFieldErrors } from '../../../hooks/useServerFieldErrors';
import { alertsApi, type Channel } from './api';
import { useAlertsT } from './messages';
import { channelRequest, placeChannelField, type ChannelFormValues } from './model';

/** A new channel: a webhook URL or email recipients; the server's refusals go under their fields. */
export function ChannelModal({ onCreated, onClose }: { onCreated: (channel: Channel) => void; onClose: () => void }) {
  const a = useAlertsT();
  const [form] = Form.useForm<ChannelFormValues>();
  const kind = Form.useWatch('kind', form) ?? 'webhook';
  const { saving, banner, submit } = useServerFieldErrors(form, placeChannelField);
  const required = [{ required: true, whitespace: true, message: a('channel.required') }];

  return (
    <Modal
      open
      title={a('channels.new')}
      okText={a('save')}
      cancelText={a('cancel')}
      confirmLoading={saving}
      onOk={() => void submit(async (values) => onCreated(await alertsApi.createChannel(channelRequest(values))))}
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
