import { Space, Typography } from 'antd';
import { useRemote } from '../../../../hooks/useRemote';
import { useT } from '../../../../locales/context';
import { tasksApi } from '../../../../services/tasks';

// Apart from ChainsTab: the list's delete confirmation needs this, and the chains editor
// belongs to the drawer's lazy chunk.

/** For the delete confirmation: the links deleting the task removes, or nothing. */
export function ChainsRemovedOnDelete({ taskUuid, code }: { taskUuid: string; code: string }) {
  const t = useT();
  const chains = useRemote(`delete:${taskUuid}`, () => tasksApi.chains(taskUuid));
  const links = [
    ...(chains.data?.parents ?? []).map((p) => `${p.code} → ${code}`),
    ...(chains.data?.children ?? []).map((c) => `${code} → ${c.code}`),
  ];
  if (links.length === 0) return null;
  return (
    <Space direction="vertical" size={0} data-testid="delete-chains">
      <Typography.Text type="warning">{t('tasks.delete.chains', { count: links.length })}</Typography.Text>
      {links.map((link) => (
        <Typography.Text key={link} code>
          {link}
        </Typography.Text>
      ))}
    </Space>
  );
}
