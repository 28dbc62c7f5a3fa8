import { DeleteOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Table, Tag } from 'antd';
import type { Channel, Rule } from './api';
import { useAlertsT, type AlertsKey } from './messages';
import { thresholdOf } from './model';

/** Rules with their channel's name; `onDelete` (when the reader may) removes one after asking. */
export function RulesTable({ rules, channels, onDelete, testId }: {
  rules: Rule[];
  channels: Channel[];
  onDelete?: (rule: Rule) => void;
  testId: string;
}) {
  const a = useAlertsT();
  const channelName = (uuid: string) => channels.find((c) => c.uuid === uuid)?.name ?? uuid;
  return (
    <Table<Rule>
      size="small"
      rowKey="uuid"
      pagination={false}
      dataSource={rules}
      data-testid={testId}
      locale={{ emptyText: a('rules.empty') }}
      columns={[
        { title: a('rule.event'), dataIndex: 'event', render: (event: string) => <Tag color="volcano">{a(`event.${event}` as AlertsKey)}</Tag> },
        { title: a('rule.channel'), dataIndex: 'channel', render: channelName },
        {
          title: a('rule.threshold'),
          dataIndex: 'threshold',
          render: (value: number | null | undefined, rule) => {
            if (value === null || value === undefined) return a('rule.threshold.none');
            return thresholdOf(rule.event) === 'required'
              ? a('rule.threshold.value.slow', { ms: value })
              : a('rule.threshold.value.failures', { count: value });
          },
        },
        { title: a('rule.throttle'), dataIndex: 'throttle_seconds', render: (seconds: number) => a('rule.throttle.value', { seconds }) },
        ...(onDelete
          ? [{
              title: a('actions'),
              key: 'actions',
              width: 80,
              render: (_: unknown, rule: Rule) => (
                <Popconfirm title={a('rules.delete.confirm')} okText={a('delete')} cancelText={a('cancel')} onConfirm={() => onDelete(rule)}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={a('delete')} data-testid="rule-delete" />
                </Popconfirm>
              ),
            }]
          : []),
      ]}
    />
  );
}
