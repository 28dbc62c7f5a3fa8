import { DeleteOutlined, KeyOutlined, PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { PageContainer } from '../../../layout/PageContainer';
import { Alert, App, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../../auth/context';
import { useRemote } from '../../../hooks/useRemote';
import { useT } from '../../../locales/context';
import { formatExact, formatLocal } from '../../../utils/time';
import { errorMessage } from '../scheduled-tasks/list/apiErrors';
import { alertsApi, type Channel } from './api';
import { ChannelModal } from './ChannelModal';
import { Deliveries } from './Deliveries';
import { useAlertsT } from './messages';
import { RuleModal } from './RuleModal';
import { RulesTable } from './RulesTable';
import { SecretModal } from './SecretModal';

function ChannelsCard({ channels, canEdit, onChanged }: { channels: Channel[]; canEdit: boolean; onChanged: () => void }) {
  const a = useAlertsT();
  const t = useT();
  const { message } = App.useApp();
  const [creating, setCreating] = useState(false);
  // The channel whose new key is shown, this once.
  const [secret, setSecret] = useState<Channel | null>(null);

  const act = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
    onChanged();
  };
  const rotate = (channel: Channel) =>
    act(async () => {
      setSecret(await alertsApi.rotateSecret(channel.uuid));
    });
  const remove = (channel: Channel) =>
    act(async () => {
      await alertsApi.deleteChannel(channel.uuid);
      message.success(a('channel.deleted', { name: channel.name }));
    });

  return (
    <Card
      title={a('channels')}
      data-testid="channels-card"
      extra={canEdit && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="channel-new">
          {a('channels.new')}
        </Button>
      )}
    >
      <Typography.Paragraph type="secondary">{a('channels.hint')}</Typography.Paragraph>
      <Table<Channel>
        size="small"
        rowKey="uuid"
        pagination={false}
        dataSource={channels}
        data-testid="channels-table"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: a('channels.empty') }}
        columns={[
          { title: a('channel.name'), dataIndex: 'name' },
          { title: a('channel.kind'), dataIndex: 'kind', render: (kind: string) => <Tag>{a(kind === 'email' ? 'channel.kind.email' : 'channel.kind.webhook')}</Tag> },
          {
            title: a('channel.target'),
            key: 'target',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <Typography.Text className="mono">{c.kind === 'email' ? (c.to ?? []).join(', ') : c.url}</Typography.Text>
                {c.previous_secret_valid_until && (
                  <Typography.Text type="secondary" data-testid="channel-grace">
                    {a('channel.previousValid', { time: formatLocal(c.previous_secret_valid_until) })}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: a('channel.created'), dataIndex: 'created_at', render: (at: string) => <span title={formatExact(at)}>{formatLocal(at)}</span> },
          ...(canEdit
            ? [{
                title: a('actions'),
                key: 'actions',
                render: (_: unknown, c: Channel) => (
                  <Space>
                    {c.kind === 'webhook' && (
                      <Popconfirm title={a('channel.rotate.confirm')} okText={a('channel.rotate')} cancelText={a('cancel')} onConfirm={() => rotate(c)}>
                        <Button size="small" icon={<KeyOutlined />} data-testid="channel-rotate">{a('channel.rotate')}</Button>
                      </Popconfirm>
                    )}
                    <Popconfirm title={a('channel.delete.confirm', { name: c.name })} okText={a('delete')} okButtonProps={{ danger: true }} cancelText={a('cancel')} onConfirm={() => remove(c)}>
                      <Button size="small" danger icon={<DeleteOutlined />} aria-label={a('delete')} data-testid="channel-delete" />
                    </Popconfirm>
                  </Space>
                ),
              }]
            : []),
        ]}
      />
      {creating && (
        <ChannelModal
          onClose={() => setCreating(false)}
          onCreated={(channel) => {
            setCreating(false);
            message.success(a('channel.created.toast', { name: channel.name }));
            if (channel.secret) setSecret(channel);
            onChanged();
          }}
        />
      )}
      {secret && <SecretModal channel={secret} onClose={() => setSecret(null)} />}
    </Card>
  );
}

/**
 * The tenant's alert settings: notification channels, the default rules for tasks without
 * their own, and the newest deliveries with their outcome (docs/alerts.md).
 */
export default function AlertsSettingsPage({ navigate }: { navigate: (search: string) => void }) {
  const a = useAlertsT();
  const t = useT();
  const { session, permissions } = useAuth();
  const { message } = App.useApp();
  const [addingRule, setAddingRule] = useState(false);
  const channels = useRemote('channels', () => alertsApi.channels());
  const rules = useRemote('rules', () => alertsApi.tenantRules());
  const deliveries = useRemote('deliveries', () => alertsApi.deliveries({ limit: 50 }));
  const channelList = channels.data ?? [];
  const failure = [channels.error, rules.error, deliveries.error].find((e) => e !== undefined);

  const deleteRule = async (uuid: string) => {
    try {
      await alertsApi.deleteRule(uuid);
      message.success(a('rules.deleted'));
    } catch (error) {
      message.error(errorMessage(error, t));
    }
    rules.reload();
  };

  const taskLink = (uuid: string) => (
    <a
      href={`/?task=${uuid}&tab=alerts`}
      className="mono"
      onClick={(event) => {
        event.preventDefault();
        navigate(`?task=${uuid}&tab=alerts`);
      }}
    >
      {uuid.slice(0, 8)}
    </a>
  );

  return (
    <PageContainer title={a('title')} subTitle={a('subtitle', { id: session?.tenantId ?? '' })}>
      <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="alerts-page">
        {failure !== undefined && <Alert type="error" showIcon message={errorMessage(failure, t)} />}
        <ChannelsCard
          channels={channelList}
          canEdit={permissions.canEdit}
          onChanged={() => {
            channels.reload();
            rules.reload();
          }}
        />
        <Card
          title={a('rules.defaults')}
          data-testid="default-rules-card"
          extra={permissions.canEdit && (
            <Button icon={<PlusOutlined />} onClick={() => setAddingRule(true)} data-testid="default-rule-add">
              {a('rules.add')}
            </Button>
          )}
        >
          <Typography.Paragraph type="secondary">{a('rules.defaults.hint')}</Typography.Paragraph>
          <RulesTable
            rules={rules.data ?? []}
            channels={channelList}
            onDelete={permissions.canEdit ? (rule) => void deleteRule(rule.uuid) : undefined}
            testId="default-rules"
          />
        </Card>
        <Card
          title={a('deliveries')}
          data-testid="deliveries-card"
          extra={<Button icon={<SyncOutlined />} onClick={deliveries.reload} data-testid="deliveries-refresh">{a('refresh')}</Button>}
        >
          <Deliveries deliveries={deliveries.data ?? []} channels={channelList} taskLabel={taskLink} testId="deliveries" />
        </Card>
      </Space>
      {addingRule && (
        <RuleModal
          channels={channelList}
          onClose={() => setAddingRule(false)}
          onSubmit={async (rule) => {
            await alertsApi.createTenantRule(rule);
            message.success(a('rules.added'));
            rules.reload();
          }}
        />
      )}
    </PageContainer>
  );
}
