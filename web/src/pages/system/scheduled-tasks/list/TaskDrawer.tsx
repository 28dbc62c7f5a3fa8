import { EditOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Drawer, Grid, Skeleton, Space, Switch, Tabs } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { useT } from '../../../../locales/context';
import type { Capabilities } from '../../../../services/capabilities';
import { tasksApi } from '../../../../services/tasks';
import type { Task, TaskStatus } from '../../../../services/types';
import { useRemote } from '../../../../hooks/useRemote';
import { errorMessage } from './apiErrors';
import { LIVE_POLL_MS, RunHistory } from './RunHistory';
import { isLive } from './runStatus';
import { TaskOverview } from './TaskOverview';
import type { useTaskActions } from './useTaskActions';
import { VersionHistory } from './VersionHistory';

type Tab = 'overview' | 'runs' | 'versions';

interface Props {
  uuid: string | null;
  /** Bumped by the page when it changed a task (e.g. saved an edit), to reload the drawer. */
  revision: number;
  initialTab?: Tab;
  capabilities: Capabilities;
  onClose: () => void;
  onEdit?: (task: Task) => void;
  onChanged: () => void;
  actions: ReturnType<typeof useTaskActions>;
}

interface Loaded {
  task: Task;
  status: TaskStatus;
}

const liveStatus = ({ status }: Loaded) =>
  status.is_running || [status.current_run, status.latest_run].some((r) => r !== null && isLive(r.status));

/** Everything about one task: its state, runs with their logs, and versions. */
export function TaskDrawer({ uuid, revision, initialTab, capabilities, onClose, onEdit, onChanged, actions }: Props) {
  const t = useT();
  const { permissions } = useAuth();
  const screens = Grid.useBreakpoint();
  const [tabState, setTab] = useState<{ uuid: string | null; tab: Tab }>({ uuid: null, tab: 'overview' });
  const tab = tabState.uuid === uuid ? tabState.tab : (initialTab ?? 'overview');

  const loaded = useRemote<Loaded>(
    uuid === null ? null : `${uuid}:${revision}`,
    async () => {
      const [task, status] = await Promise.all([tasksApi.get(uuid ?? ''), tasksApi.status(uuid ?? '')]);
      return { task, status };
    },
    { pollMs: LIVE_POLL_MS, poll: liveStatus },
  );
  const task = loaded.data?.task;

  const afterChange = () => {
    loaded.reload();
    onChanged();
  };

  return (
    <Drawer
      open={uuid !== null}
      onClose={onClose}
      width={screens.md ? 760 : '100%'}
      title={task?.name ?? ''}
      destroyOnHidden
      data-testid="task-drawer"
      extra={
        task && (
          <Space wrap>
            <Switch
              checkedChildren={t('tasks.active.true')}
              unCheckedChildren={t('tasks.active.false')}
              checked={task.is_active}
              disabled={!permissions.canOperate}
              onChange={async (checked) => {
                await actions.setActive(task, checked);
                afterChange();
              }}
            />
            {permissions.canOperate && capabilities.runNow && (
              <Button
                icon={<PlayCircleOutlined />}
                onClick={async () => {
                  if (await actions.runNow(task)) {
                    setTab({ uuid, tab: 'runs' });
                    afterChange();
                  }
                }}
              >
                {t('tasks.action.run')}
              </Button>
            )}
            {onEdit && (
              <Button type="primary" icon={<EditOutlined />} onClick={() => onEdit(task)}>
                {t('tasks.action.edit')}
              </Button>
            )}
          </Space>
        )
      }
    >
      {loaded.error !== undefined && <Alert type="error" showIcon message={errorMessage(loaded.error, t)} />}
      {!task && loaded.error === undefined && <Skeleton active />}
      {task && uuid && (
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab({ uuid, tab: key as Tab })}
          items={[
            { key: 'overview', label: t('drawer.tab.overview'), children: <TaskOverview task={task} status={loaded.data?.status} /> },
            { key: 'runs', label: t('drawer.tab.runs'), children: <RunHistory taskUuid={uuid} capabilities={capabilities} /> },
            { key: 'versions', label: t('drawer.tab.versions'), children: <VersionHistory taskUuid={uuid} version={task.version} /> },
          ]}
        />
      )}
    </Drawer>
  );
}
