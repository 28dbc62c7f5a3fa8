import type { TableColumnsType } from 'antd';
import type { Translate } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { Task } from '../../../../services/types';
import { RecentOutcomes, RunDuration } from './RecentRunCells';

/** The list's Duration and Recent runs columns (from the task's `last_run_duration_ms` and `recent_outcomes`). */
export function recentRunColumns(t: Translate, lang: Lang): TableColumnsType<Task> {
  return [
    {
      title: t('tasks.col.duration'),
      dataIndex: 'last_run_duration_ms',
      responsive: ['xl'],
      width: 96,
      render: (_, task) => <RunDuration task={task} t={t} lang={lang} />,
    },
    {
      title: t('tasks.col.recent'),
      dataIndex: 'recent_outcomes',
      responsive: ['lg'],
      width: 104,
      render: (_, task) => <RecentOutcomes task={task} t={t} />,
    },
  ];
}
