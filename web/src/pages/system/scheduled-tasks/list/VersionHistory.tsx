import { Empty, Pagination, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import type { MessageKey } from '../../../../locales/en-US';
import { tasksApi } from '../../../../services/tasks';
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
};

/** Who changed what when: every version of the definition, newest first. */
export function VersionHistory({ taskUuid, version }: { taskUuid: string; version: number }) {
  const t = useT();
  const [page, setPage] = useState(1);
  // Keyed by the task's version too, so a change made elsewhere shows up.
  const versions = useRemote(`${taskUuid}:${version}:${page}`, () => tasksApi.versions(taskUuid, { page, page_size: PAGE_SIZE }));
  const items = versions.data?.items ?? [];
  if (versions.error !== undefined) return <Typography.Text type="danger">{errorMessage(versions.error, t)}</Typography.Text>;
  if (!versions.loading && !items.length) return <Empty description={t('versions.empty')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="version-history">
      <Timeline
        items={items.map((v) => {
          const key = `versions.action.${v.action}` as MessageKey;
          return {
            color: ACTION_COLOR[v.action] ?? 'gray',
            children: (
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Space wrap size={6}>
                  <Tag>v{v.version}</Tag>
                  <Typography.Text strong>{t(key) === key ? v.action : t(key)}</Typography.Text>
                  <Typography.Text type="secondary">{t('versions.by', { actor: v.actor })}</Typography.Text>
                  <Typography.Text type="secondary">{formatLocal(v.at)}</Typography.Text>
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
