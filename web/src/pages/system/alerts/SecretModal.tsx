import { Alert, Button, Modal, Typography } from 'antd';
import type { Channel } from './api';
import { useAlertsT } from './messages';

/** A webhook's signing key, shown this once (after create or rotate), with a copy button. */
export function SecretModal({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const a = useAlertsT();
  return (
    <Modal
      open
      title={a('secret.title', { name: channel.name })}
      onCancel={onClose}
      maskClosable={false}
      footer={<Button type="primary" onClick={onClose} data-testid="secret-done">{a('secret.done')}</Button>}
    >
      <Alert type="warning" showIcon message={a('secret.once')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph copyable={{ text: channel.secret ?? '' }} className="mono" data-testid="channel-secret">
        {channel.secret}
      </Typography.Paragraph>
    </Modal>
  );
}
