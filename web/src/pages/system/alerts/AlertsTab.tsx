import { EditOutlined, PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Empty, List, Space, Spin, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../../auth/context';
import { useRemote } from '../../../hooks/useRemote';
import { useT } from '../../../locales/context';
import { formatExact, formatLocal } from '../../../utils/time';
import { errorMessage } from '../scheduled-tasks/list/apiErrors';
import { alertsApi, type Deadline, type DeadlineMiss, type DeadlineSpec } from './api';
import { DeadlinesEditor } from './DeadlinesEditor';
import { Deliveries } from './Deliveries';
import { useAlertsT } from './messages';
import { deadlineText } from './model';
import { RuleModal } from './RuleModal';
import { RulesTable } from './RulesTable';

const at = (instant: string) => <span title={formatExact(instant)}>{formatLocal(instant)}</span>;

function DeadlineState({ deadline }: { deadline: Deadline }) {
  const a = useAlertsT();
  return (
    <Space direction="vertical" size={0}>
      <Typography.Text strong>{deadlineText(deadline, a)}</Typography.Text>
      <Space wrap size={4}>
        {deadline.next_due_at && <Tag color="blue">{a('deadline.nextDue', { time: formatLocal(deadline.next_due_at) })}</Tag>}
        <Tag>{deadline.last_success_at ? a('deadline.lastSuccess', { time: formatLocal(deadline.last_success_at) }) : a('deadline.neverSucceeded')}</Tag>
        {deadline.missed_count > 0 && <Tag color="error">{a('deadline.missedCount', { count: deadline.missed_count })}</Tag>}
      </Space>
    </Space>
  );
}

/**
 * A task's alerts in its drawer: its notification rules (tenant defaults apply while it has
 * none), its dead-man deadlines and their recent misses, and the notices sent about it.
 */
export default function AlertsTab({ taskUuid }: { taskUuid: string }) {
  const a = useAlertsT();
  const t = useT();
  const { message } = App.useApp();
  const { permissions } = useAuth();
  const [addingRule, setAddingRule] = useState(false);
  const [editingDeadlines, setEditingDeadlines] = useState(false);
  const channels = useRemote('channels', () => alertsApi.channels());
  const rules = useRemote(`rules:${taskUuid}`, () => alertsApi.taskRules(taskUuid));
  const defaults = useRemote('defaults', () => alertsApi.tenantRules());
  const deadlines = useRemote(`deadlines:${taskUuid}`, () => alertsApi.deadlines(taskUuid));
  const misses = useRemote(`misses:${taskUuid}`, () => alertsApi.misses(taskUuid));
  const deliveries = useRemote(`deliveries:${taskUuid}`, () => alertsApi.deliveries({ task_uuid: taskUuid, limit: 20 }));
  const channelList = channels.data ?? [];
  const failure = [channels.error, rules.error, deadlines.error].find((e) => e !== undefined);
  if (failure !== undefined) return <Typography.Text type="danger">{errorMessage(failure, t)}</Typography.Text>;
  if (!rules.data || !deadlines.data) return <Spin />;

  const deleteRule = async (uuid: string) => {
    try {
      await alertsApi.deleteRule(uuid);
      message.success(a('rules.deleted'));
    } catch (error) {
      message.error(errorMessage(error, t));
    }
    rules.reload();
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="alerts-tab">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Text strong>{a('rules.task')}</Typography.Text>
          {permissions.canOperate && (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setAddingRule(true)} data-testid="task-rule-add">
              {a('rules.add')}
            </Button>
          )}
        </Space>
        <Typography.Text type="secondary">{a('rules.task.hint')}</Typography.Text>
        {rules.data.length === 0 && (defaults.data?.length ?? 0) > 0 && (
          <Typography.Text data-testid="rules-inherited">{a('rules.task.inherits', { count: defaults.data?.length ?? 0 })}</Typography.Text>
        )}
        <RulesTable
          rules={rules.data}
          channels={channelList}
          onDelete={permissions.canOperate ? (rule) => void deleteRule(rule.uuid) : undefined}
          testId="task-rules"
        />
      </Space>

      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text strong>{a('deadlines')}</Typography.Text>
        <Typography.Text type="secondary">{a('deadlines.hint')}</Typography.Text>
        {editingDeadlines ? (
          <DeadlinesEditor
            taskUuid={taskUuid}
            deadlines={deadlines.data.deadlines}
            onCancel={() => setEditingDeadlines(false)}
            onSaved={() => {
              setEditingDeadlines(false);
              deadlines.reload();
            }}
          />
        ) : (
          <>
            {deadlines.data.deadlines.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={a('deadlines.empty')} />
            ) : (
              <List
                size="small"
                data-testid="deadlines"
                dataSource={deadlines.data.deadlines}
                renderItem={(d) => <List.Item key={d.key}><DeadlineState deadline={d} /></List.Item>}
              />
            )}
            {permissions.canEdit && (
              <Button icon={<EditOutlined />} onClick={() => setEditingDeadlines(true)} data-testid="deadlines-edit" style={{ alignSelf: 'start' }}>
                {a('deadlines.edit')}
              </Button>
            )}
          </>
        )}
      </Space>

      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text strong>{a('misses')}</Typography.Text>
        <Table<DeadlineMiss>
          size="small"
          rowKey={(m) => `${m.due_at}:${JSON.stringify(m.deadline)}`}
          pagination={false}
          dataSource={misses.data?.items ?? []}
          data-testid="deadline-misses"
          locale={{ emptyText: a('misses.empty') }}
          columns={[
            { title: a('miss.due'), dataIndex: 'due_at', render: at },
            { title: a('miss.deadline'), dataIndex: 'deadline', render: (d: DeadlineSpec) => deadlineText(d, a) },
            { title: a('miss.missed'), dataIndex: 'missed' },
            { title: a('miss.lastSuccess'), dataIndex: 'last_success_at', render: (v: string | null | undefined) => (v ? at(v) : '—') },
            { title: a('miss.recorded'), dataIndex: 'recorded_at', render: at },
          ]}
        />
      </Space>

      <Space direction="vertical" style={{ width: '100%' }}>
        <Space style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Text strong>{a('deliveries.task')}</Typography.Text>
          <Button
            size="small"
            icon={<SyncOutlined />}
            onClick={() => {
              deliveries.reload();
              misses.reload();
              deadlines.reload();
            }}
            data-testid="alerts-refresh"
          >
            {a('refresh')}
          </Button>
        </Space>
        <Deliveries deliveries={deliveries.data ?? []} channels={channelList} testId="task-deliveries" />
      </Space>

      {addingRule && (
        <RuleModal
          channels={channelList}
          onClose={() => setAddingRule(false)}
          onSubmit={async (rule) => {
            await alertsApi.createTaskRule(taskUuid, rule);
            message.success(a('rules.added'));
            rules.reload();
          }}
        />
      )}
    </Space>
  );
}
