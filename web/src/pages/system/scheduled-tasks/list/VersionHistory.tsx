import { DiffOutlined, RollbackOutlined } from '@ant-design/icons';
import { App, Button, Empty, Pagination, Popconfirm, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import type { MessageKey } from '../../../../locales/en-US';
import { tasksApi } from '../../../../services/tasks';
import type { FieldChange, TaskVersion } from '../../../../services/types';
import { formatLocal } from '../../../../utils/time';
import { useRemote } from '../../../../hooks/useRemote';
import { errorMessage } from './apiErrors';
import { redactDefinition } from './redact';

const PAGE_SIZE = 20;
const ACTION_COLOR: Record<string, string> = {
  create: 'green',
  update: 'blue',
  start: 'cyan',
  stop: 'orange',
  delete: 'red',
  restore: 'purple',
};
const CHANGE_COLOR: Record<FieldChange['change'], string> = { added: 'green', removed: 'red', changed: 'blue' };

/** A changed value as it reads best: text as it is, anything else as JSON; absent as a dash. */
function shown(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The fields that differ between two versions, as the server compares them. */
function VersionDiffView({ taskUuid, from, to }: { taskUuid: string; from: number; to: number }) {
  const t = useT();
  const diff = useRemote(`${taskUuid}:${from}:${to}`, () => tasksApi.versionDiff(taskUuid, from, to));
  if (diff.error !== undefined) return <Typography.Text type="danger">{errorMessage(diff.error, t)}</Typography.Text>;
  const changes = diff.data?.changes ?? [];
  return (
    <Table<FieldChange>
      size="small"
      data-testid="version-diff"
      loading={diff.loading}
      rowKey="field"
      pagination={false}
      dataSource={changes}
      locale={{ emptyText: t('versions.diff.same') }}
      columns={[
        { title: t('versions.diff.field'), dataIndex: 'field', render: (field: string) => <code>{field}</code> },
        {
          title: t('versions.diff.change'),
          dataIndex: 'change',
          width: 90,
          render: (change: FieldChange['change']) => <Tag color={CHANGE_COLOR[change]}>{t(`versions.diff.${change}`)}</Tag>,
        },
        { title: `v${from}`, key: 'from', render: (_, c) => <span className="mono diff-value">{shown(c.from_value)}</span> },
        { title: `v${to}`, key: 'to', render: (_, c) => <span className="mono diff-value">{shown(c.to_value)}</span> },
      ]}
    />
  );
}

interface Props {
  taskUuid: string;
  /** The task's current version. */
  version: number;
  /** Given to admins: restores a version, then reloads the task. */
  onRestored?: () => void;
}

/**
 * Who changed what when: every version of the definition, newest first; two of them compared
 * field by field, and any earlier one restored (as a new version).
 */
export function VersionHistory({ taskUuid, version, onRestored }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  // The pair compared; null: the current version against the one before it.
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null);
  const [comparing, setComparing] = useState(false);
  // Keyed by the task's version too, so a change made elsewhere shows up.
  const versions = useRemote(`${taskUuid}:${version}:${page}`, () => tasksApi.versions(taskUuid, { page, page_size: PAGE_SIZE }));
  const items = versions.data?.items ?? [];
  if (versions.error !== undefined) return <Typography.Text type="danger">{errorMessage(versions.error, t)}</Typography.Text>;
  if (!versions.loading && !items.length) return <Empty description={t('versions.empty')} />;

  const numbers = items.map((v) => v.version);
  const from = pair?.from ?? numbers[1] ?? numbers[0];
  const to = pair?.to ?? numbers[0];
  const options = numbers.map((n) => ({ value: n, label: `v${n}` }));

  const restore = async (v: TaskVersion) => {
    try {
      const task = await tasksApi.restoreVersion(taskUuid, v.version);
      message.success(t('versions.restored', { version: v.version, current: task.version }));
      setPair(null);
      onRestored?.();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="version-history">
      {numbers.length > 1 && (
        <Space wrap data-testid="version-compare">
          <Typography.Text>{t('versions.compare')}</Typography.Text>
          <Select<number>
            size="small"
            style={{ width: 90 }}
            value={from}
            options={options}
            aria-label={t('versions.compare.from')}
            data-testid="diff-from"
            onChange={(value) => {
              setPair({ from: value, to });
              setComparing(true);
            }}
          />
          <Typography.Text>→</Typography.Text>
          <Select<number>
            size="small"
            style={{ width: 90 }}
            value={to}
            options={options}
            aria-label={t('versions.compare.to')}
            data-testid="diff-to"
            onChange={(value) => {
              setPair({ from, to: value });
              setComparing(true);
            }}
          />
          <Button size="small" icon={<DiffOutlined />} onClick={() => setComparing((c) => !c)} data-testid="diff-toggle">
            {t(comparing ? 'versions.compare.hide' : 'versions.compare.show')}
          </Button>
        </Space>
      )}
      {comparing && from !== undefined && to !== undefined && <VersionDiffView taskUuid={taskUuid} from={from} to={to} />}
      <Timeline
        items={items.map((v) => {
          const key = `versions.action.${v.action}` as MessageKey;
          return {
            color: ACTION_COLOR[v.action] ?? 'gray',
            children: (
              <Space direction="vertical" size={2} style={{ width: '100%' }} data-testid={`version-${v.version}`}>
                <Space wrap size={6}>
                  <Tag>v{v.version}</Tag>
                  <Typography.Text strong>{t(key) === key ? v.action : t(key)}</Typography.Text>
                  <Typography.Text type="secondary">{t('versions.by', { actor: v.actor })}</Typography.Text>
                  <Typography.Text type="secondary">{formatLocal(v.at)}</Typography.Text>
                  {v.version === version && <Tag color="processing">{t('versions.current')}</Tag>}
                  {onRestored && v.version !== version && (
                    <Popconfirm
                      title={t('versions.restore.confirm', { version: v.version })}
                      description={<Typography.Text type="secondary">{t('versions.restore.confirmHint')}</Typography.Text>}
                      okText={t('versions.restore')}
                      onConfirm={() => restore(v)}
                    >
                      <Button size="small" type="link" icon={<RollbackOutlined />} data-testid={`restore-${v.version}`}>
                        {t('versions.restore')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
                <details>
                  <summary>{t('versions.definition')}</summary>
                  <pre className="log-view light" style={{ margin: 0 }}>
                    {JSON.stringify(redactDefinition(v.definition), null, 2)}
                  </pre>
                </details>
              </Space>
            ),
          };
        })}
      />
      {(versions.data?.total ?? 0) > PAGE_SIZE && (
        <Pagination size="small" current={page} pageSize={PAGE_SIZE} total={versions.data?.total} onChange={setPage} />
      )}
    </Space>
  );
}
