import { Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useRemote } from '../../../../hooks/useRemote';
import { useT } from '../../../../locales/context';
import { runsApi } from '../../../../services/runs';
import { errorMessage } from '../list/apiErrors';
import { RunCharts } from './RunCharts';
import { pickBucket, type RangePreset, RANGES, readRunsUrl, resolveRange } from './urlState';

/**
 * One task's outcomes and durations over a recent range, for the task drawer (a lazy chunk);
 * loaded again whenever `refreshKey` changes.
 */
export default function TaskRunCharts({ taskUuid, refreshKey }: { taskUuid: string; refreshKey: string }) {
  const t = useT();
  const [range, setRange] = useState<RangePreset>('24h');
  const stats = useRemote(`${taskUuid}:${range}:${refreshKey}`, () => {
    const span = resolveRange({ ...readRunsUrl(''), range }, Date.now());
    return runsApi.stats({ ...span, bucket: pickBucket(Date.parse(span.to) - Date.parse(span.from)), task_uuid: taskUuid });
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="task-run-charts">
      <Segmented<RangePreset>
        size="small"
        value={range}
        onChange={setRange}
        options={RANGES.map((r) => ({ value: r, label: t(`runsPage.range.${r}`) }))}
      />
      {stats.error !== undefined && <Typography.Text type="danger">{errorMessage(stats.error, t)}</Typography.Text>}
      {stats.data && <RunCharts stats={stats.data} narrow />}
    </Space>
  );
}
