import { Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { formatExact, formatLocal } from '../../../utils/time';
import type { Channel, Delivery } from './api';
import { useAlertsT, type AlertsKey } from './messages';

const STATUS_COLOR: Record<string, string> = { pending: 'default', sending: 'processing', delivered: 'success', failed: 'error' };

/** Deliveries newest first: when, event, channel, status, attempts, the receiver's answer, the error. */
export function Deliveries({ deliveries, channels, taskLabel, testId }: {
  deliveries: Delivery[];
  channels: Channel[];
  /** The task of a delivery, where the table spans tasks. */
  taskLabel?: (uuid: string) => ReactNode;
  testId: string;
}) {
  const a = useAlertsT();
  const channelName = (uuid: string) => channels.find((c) => c.uuid === uuid)?.name ?? uuid;
  return (
    <Table<Delivery>
      size="small"
      rowKey="uuid"
      pagination={false}
      dataSource={deliveries}
      data-testid={testId}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: a('deliveries.empty') }}
      columns={[
        { title: a('delivery.at'), dataIndex: 'created_at', render: (at: string) => <span title={formatExact(at)}>{formatLocal(at)}</span> },
        { title: a('delivery.event'), dataIndex: 'event', render: (event: string) => a(`event.${event}` as AlertsKey) },
        ...(taskLabel ? [{ title: a('delivery.task'), dataIndex: 'task_uuid', render: (uuid: string) => taskLabel(uuid) }] : []),
        { title: a('delivery.channel'), dataIndex: 'channel', render: channelName },
        {
          title: a('delivery.status'),
          dataIndex: 'status',
          render: (status: string, d) => (
            <span data-testid="delivery-status">
              <Tag color={STATUS_COLOR[status] ?? 'default'}>{a(`delivery.status.${status}` as AlertsKey)}</Tag>
              {d.next_attempt_at && status === 'pending' && (
                <Typography.Text type="secondary">{a('delivery.next', { time: formatLocal(d.next_attempt_at) })}</Typography.Text>
              )}
            </span>
          ),
        },
        { title: a('delivery.attempts'), dataIndex: 'attempts' },
        { title: a('delivery.response'), dataIndex: 'response_code', render: (code: number | null | undefined) => code ?? '—' },
        {
          title: a('delivery.error'),
          dataIndex: 'error',
          render: (error: string | null | undefined) =>
            error ? <Typography.Text type="danger" style={{ maxWidth: 320 }} ellipsis={{ tooltip: error }}>{error}</Typography.Text> : '—',
        },
      ]}
    />
  );
}
