import { SyncOutlined } from '@ant-design/icons';
import { PageContainer } from '../../../../layout/PageContainer';
import { Alert, Button, DatePicker, Empty, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { NowContext } from '../../../../hooks/now';
import { usePageVisible } from '../../../../hooks/usePageVisible';
import { useRemote } from '../../../../hooks/useRemote';
import { useT } from '../../../../locales/context';
import { runsApi } from '../../../../services/runs';
import { tasksApi } from '../../../../services/tasks';
import type { RunStatus, TaskRun } from '../../../../services/types';
import { formatDuration } from '../../../../utils/time';
import { errorMessage } from '../list/apiErrors';
import { RelativeTime } from '../list/cells';
import { RUN_STATUSES } from '../list/runStatus';
import { StatusTag } from '../list/StatusTag';
import { RunCharts } from './RunCharts';
import { PAGE_SIZES, pickBucket, RANGES, type RunsUrlState, readRunsUrl, resolveRange, writeRunsUrl } from './urlState';

/** How often the page refreshes itself while visible, as the task list does. */
export const RUNS_POLL_MS = 10_000;

function showInAddress(state: RunsUrlState) {
  const { pathname, hash } = window.location;
  const next = pathname + writeRunsUrl(state) + hash;
  if (next !== pathname + window.location.search + hash) window.history.replaceState(window.history.state, '', next);
}

/** Tasks to pick from: those whose name or code contains `keyword`, plus the chosen one. */
function useTaskOptions(chosen: string | undefined) {
  const [keyword, setKeyword] = useState('');
  const found = useRemote(`tasks:${keyword}`, () => tasksApi.list({ keyword: keyword || undefined, page_size: 50, sort: 'name' }));
  const chosenTask = useRemote(chosen ? `task:${chosen}` : null, () => tasksApi.get(chosen as string));
  const options = useMemo(() => {
    const tasks = [...(found.data?.items ?? [])];
    if (chosenTask.data && !tasks.some((task) => task.uuid === chosenTask.data?.uuid)) tasks.unshift(chosenTask.data);
    return tasks.map((task) => ({ value: task.uuid, label: `${task.name} (${task.code})` }));
  }, [found.data, chosenTask.data]);
  return { options, setKeyword, loading: found.loading };
}

/** Runs across every task of the tenant: filters, charts of outcomes and durations, the list. */
export default function RunsPage({ navigate }: { navigate: (search: string) => void }) {
  const t = useT();
  const [view, setView] = useState<RunsUrlState>(() => readRunsUrl(window.location.search));
  const [now, setNow] = useState(() => Date.now());
  const visible = usePageVisible();
  const tasks = useTaskOptions(view.task);

  useEffect(() => showInAddress(view), [view]);

  const update = useCallback((change: Partial<RunsUrlState>) => setView((old) => ({ ...old, page: 1, ...change })), []);

  // A preset range moves with time: each load asks for the range ending at that moment.
  const filterKey = JSON.stringify({ ...view, page: undefined, pageSize: undefined });
  const runs = useRemote(`${filterKey}:${view.page}:${view.pageSize}`, async () => {
    const current = view;
    const fixed = current.from && current.to;
    const range = resolveRange(current, Date.now());
    const page = await runsApi.search({
      status: current.status,
      task_uuid: current.task,
      // A preset range shows every run since its start, the newest too.
      from: range.from,
      to: fixed ? range.to : undefined,
      page: current.page,
      page_size: current.pageSize,
    });
    setNow(Date.now());
    return page;
  });
  const stats = useRemote(filterKey, () => {
    const current = view;
    const range = resolveRange(current, Date.now());
    const bucket = pickBucket(Date.parse(range.to) - Date.parse(range.from));
    return runsApi.stats({ ...range, bucket, task_uuid: current.task });
  });

  const { reload: reloadRuns } = runs;
  const { reload: reloadStats } = stats;
  const refresh = useCallback(() => {
    reloadRuns();
    reloadStats();
  }, [reloadRuns, reloadStats]);
  useEffect(() => {
    if (!visible) return undefined;
    const timer = window.setInterval(refresh, RUNS_POLL_MS);
    return () => window.clearInterval(timer);
  }, [visible, refresh]);

  const columns: ColumnsType<TaskRun> = [
    {
      title: t('runs.scheduledFor'),
      dataIndex: 'scheduled_for',
      width: 150,
      render: (_, run) => <RelativeTime instant={run.scheduled_for} />,
    },
    {
      title: t('runsPage.col.task'),
      dataIndex: 'task_name',
      render: (_, run) => (
        <Space direction="vertical" size={0}>
          <a
            href={`/?task=${run.task_uuid}&tab=runs&run=${run.uuid}`}
            data-testid={`run-task-${run.uuid}`}
            onClick={(event) => {
              event.preventDefault();
              navigate(`?task=${run.task_uuid}&tab=runs&run=${run.uuid}`);
            }}
          >
            {run.task_name}
          </a>
          <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
            {run.task_code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('runsPage.col.status'),
      dataIndex: 'status',
      width: 130,
      render: (_, run) => <StatusTag status={run.status} />,
    },
    {
      title: t('runsPage.col.trigger'),
      dataIndex: 'trigger',
      width: 110,
      responsive: ['md'],
      render: (_, run) => <Tag bordered={false}>{t(`runs.trigger.${run.trigger}`)}</Tag>,
    },
    {
      title: t('runsPage.col.attempt'),
      dataIndex: 'attempt',
      width: 90,
      responsive: ['lg'],
      render: (_, run) => `${run.attempt}/${run.max_attempts}`,
    },
    {
      title: t('runs.duration'),
      dataIndex: 'duration_ms',
      width: 110,
      render: (_, run) => (run.duration_ms === null ? '—' : formatDuration(run.duration_ms)),
    },
    {
      title: t('runsPage.col.error'),
      dataIndex: 'error',
      ellipsis: true,
      // A skipped run says why in the reader's words, not the server's restatement.
      render: (_, run) =>
        run.status === 'skipped' && run.skip_reason ? (
          <Typography.Text type="secondary">{t(`runs.skip.${run.skip_reason}`)}</Typography.Text>
        ) : run.error ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: run.error }}>
            {run.error}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
  ];

  const fixed = Boolean(view.from && view.to);
  const error = runs.error ?? stats.error;

  return (
    <PageContainer title={t('runsPage.title')} subTitle={t('runsPage.subtitle')}>
      <NowContext.Provider value={now}>
        <Space wrap style={{ marginBottom: 16 }} data-testid="runs-filters">
          <Select<RunStatus | 'all'>
            style={{ width: 170 }}
            value={view.status ?? 'all'}
            aria-label={t('runsPage.col.status')}
            data-testid="runs-status"
            onChange={(value) => update({ status: value === 'all' ? undefined : value })}
            options={[{ value: 'all', label: t('runs.filter.all') }, ...RUN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          />
          <Select<string>
            style={{ width: 260 }}
            showSearch
            allowClear
            filterOption={false}
            placeholder={t('runsPage.task.all')}
            aria-label={t('runsPage.col.task')}
            data-testid="runs-task"
            value={view.task}
            options={tasks.options}
            loading={tasks.loading}
            onSearch={tasks.setKeyword}
            onChange={(value) => update({ task: value || undefined })}
          />
          <Segmented<string>
            data-testid="runs-range"
            value={fixed ? 'custom' : view.range}
            options={[
              ...RANGES.map((range) => ({ value: range, label: t(`runsPage.range.${range}`) })),
              { value: 'custom', label: t('runsPage.range.custom'), disabled: !fixed },
            ]}
            onChange={(value) => {
              const range = RANGES.find((r) => r === value);
              if (range) update({ range, from: undefined, to: undefined });
            }}
          />
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            data-testid="runs-range-picker"
            value={fixed ? [dayjs(view.from), dayjs(view.to)] : null}
            onChange={(values) => {
              const [from, to] = values ?? [];
              if (from && to && from.isBefore(to)) update({ from: from.toISOString(), to: to.toISOString() });
              else update({ from: undefined, to: undefined });
            }}
          />
          <Button icon={<SyncOutlined spin={runs.loading} />} onClick={refresh}>
            {t('common.refresh')}
          </Button>
          <Typography.Text type="secondary">{t('runsPage.live')}</Typography.Text>
        </Space>
        {error !== undefined && <Alert type="error" showIcon message={errorMessage(error, t)} style={{ marginBottom: 16 }} data-testid="runs-error" />}
        {stats.data && <RunCharts stats={stats.data} />}
        <Table<TaskRun>
          rowKey="uuid"
          size="middle"
          data-testid="runs-table"
          columns={columns}
          dataSource={runs.data?.items ?? []}
          loading={runs.loading && !runs.data}
          locale={{ emptyText: <Empty description={t('runsPage.empty')} /> }}
          scroll={{ x: 800 }}
          pagination={{
            current: view.page,
            pageSize: view.pageSize,
            total: runs.data?.total ?? 0,
            pageSizeOptions: PAGE_SIZES,
            showSizeChanger: true,
            showTotal: (total) => t('runsPage.total', { count: total }),
            onChange: (page, pageSize) => setView((old) => ({ ...old, page: pageSize === old.pageSize ? page : 1, pageSize })),
          }}
        />
      </NowContext.Provider>
    </PageContainer>
  );
}
