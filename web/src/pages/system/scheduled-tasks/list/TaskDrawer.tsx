import { CodeOutlined, CopyOutlined, EditOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Drawer, Grid, Skeleton, Space, Spin, Tabs, Tooltip } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { useT } from '../../../../locales/context';
import type { Capabilities } from '../../../../services/capabilities';
import { tasksApi } from '../../../../services/tasks';
import type { Task, TaskStatus } from '../../../../services/types';
import { useRemote } from '../../../../hooks/useRemote';
import { ActiveSwitch } from './ActiveSwitch';
import { ChainsTab } from './ChainsTab';
import { errorMessage } from './apiErrors';
import { LIVE_POLL_MS, RunHistory } from './RunHistory';
import { RunNowModal } from './RunNowModal';
import { isLive } from './runStatus';
import { TaskOverview } from './TaskOverview';
import type { DrawerTab } from './urlState';
import type { useTaskActions } from './useTaskActions';
import { VersionHistory } from './VersionHistory';

// The Alerts tab (rules, deadlines, notices) loads when first opened.
const AlertsTab = lazy(() => import('../../alerts/AlertsTab'));

interface Props {
  uuid: string | null;
  /** Bumped by the page when it changed a task (e.g. saved an edit), to reload the drawer. */
  revision: number;
  tab: DrawerTab;
  onTabChange: (tab: DrawerTab) => void;
  /** The run open in the Runs tab (from the address), and where a newly opened one goes. */
  run: string | null;
  onRunChange: (run: string | null) => void;
  /** Opens a run of any task (a chained run's parent or child) in the drawer. */
  onOpenTaskRun: (task: string, run: string) => void;
  capabilities: Capabilities;
  onClose: () => void;
  onEdit?: (task: Task) => void;
  onClone?: (task: Task) => void;
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
export function TaskDrawer({ uuid, revision, tab, onTabChange, run, onRunChange, onOpenTaskRun, capabilities, onClose, onEdit, onClone, onChanged, actions }: Props) {
  const t = useT();
  const { permissions } = useAuth();
  const screens = Grid.useBreakpoint();
  const [argsOpen, setArgsOpen] = useState(false);

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
  const narrow = screens.sm === false;
  const runNow = async (target: Task, args?: Record<string, unknown>) => {
    // The page opens the queued run in the Runs tab (and the address).
    const done = await actions.runNow(target, args);
    if (done) afterChange();
    return done;
  };

  const buttons = task && (
    <Space wrap>
      <ActiveSwitch
        task={task}
        withText
        disabled={!permissions.canOperate}
        onChange={async (target, active, cancelRunning) => {
          const done = await actions.setActive(target, active, cancelRunning);
          afterChange();
          return done;
        }}
      />
      {permissions.canOperate && capabilities.runNow && (
        <Space.Compact>
          <Button icon={<PlayCircleOutlined />} onClick={() => void runNow(task)} data-testid="drawer-run-now">
            {t('tasks.action.run')}
          </Button>
          <Tooltip title={t('runArgs.open')}>
            <Button icon={<CodeOutlined />} aria-label={t('runArgs.open')} onClick={() => setArgsOpen(true)} data-testid="run-with-args" />
          </Tooltip>
        </Space.Compact>
      )}
      {onClone && (
        <Button icon={<CopyOutlined />} onClick={() => onClone(task)} data-testid="drawer-clone">
          {t('tasks.action.clone')}
        </Button>
      )}
      {onEdit && (
        <Button type="primary" icon={<EditOutlined />} onClick={() => onEdit(task)}>
          {t('tasks.action.edit')}
        </Button>
      )}
    </Space>
  );

  return (
    <Drawer
      open={uuid !== null}
      onClose={onClose}
      width={screens.md ? 760 : '100%'}
      title={<span data-testid="drawer-title">{task?.name ?? ''}</span>}
      destroyOnHidden
      data-testid="task-drawer"
      // On a phone the header holds the title alone; the buttons go under it, where they do not
      // squeeze the name to nothing.
      extra={narrow ? undefined : buttons}
    >
      {task && argsOpen && <RunNowModal task={task} onCancel={() => setArgsOpen(false)} onRun={(args) => runNow(task, args)} />}
      {narrow && buttons && <div style={{ marginBottom: 12 }} data-testid="drawer-buttons">{buttons}</div>}
      {loaded.error !== undefined && <Alert type="error" showIcon message={errorMessage(loaded.error, t)} />}
      {!task && loaded.error === undefined && <Skeleton active />}
      {task && uuid && (
        <Tabs
          activeKey={tab}
          onChange={(key) => onTabChange(key as DrawerTab)}
          items={[
            { key: 'overview', label: t('drawer.tab.overview'), children: <TaskOverview task={task} status={loaded.data?.status} /> },
            {
              key: 'runs',
              label: t('drawer.tab.runs'),
              children: <RunHistory taskUuid={uuid} capabilities={capabilities} openRun={run} onOpenRun={onRunChange} onOpenTaskRun={onOpenTaskRun} />,
            },
            { key: 'chains', label: t('drawer.tab.chains'), children: <ChainsTab taskUuid={uuid} canEdit={permissions.canEdit} /> },
            { key: 'alerts', label: t('drawer.tab.alerts'), children: <Suspense fallback={<Spin />}><AlertsTab taskUuid={uuid} /></Suspense> },
            {
              key: 'versions',
              label: t('drawer.tab.versions'),
              children: <VersionHistory taskUuid={uuid} version={task.version} onRestored={permissions.canEdit ? afterChange : undefined} />,
            },
          ]}
        />
      )}
    </Drawer>
  );
}
