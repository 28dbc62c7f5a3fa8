import type { ProColumns } from '@ant-design/pro-components';
import type { Translate } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { Task } from '../../../../services/types';
import { RecentOutcomes, RunDuration } from './RecentRunCells';

/** The list's Duration and Recent runs columns (from the task's `last_run_duration_ms` and `recent_outcomes`). */
export function recentRunColumns(t: Translate, lang: Lang): ProColumns<Task>[] {
  return [
    {
      title: t('tasks.col.duration'),
      dataIndex: 'last_run_duration_ms',
      hideInSearch: true,
      responsive: ['xl'],
      width: 96,
      render: (_, task) => <RunDuration task={task} t={t} lang={lang} />,
    },
    {
      title: t('tasks.col.recent'),
      dataIndex: 'recent_outcomes',
      hideInSearch: true,
      responsive: ['lg'],
      width: 104,
      render: (_, task) => <RecentOutcomes task={task} t={t} />,
    },
  ];
}
