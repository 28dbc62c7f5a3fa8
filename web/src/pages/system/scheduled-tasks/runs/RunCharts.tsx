import { Card, Col, Row, Statistic } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/lib/core';
import { useMemo } from 'react';
import { useT } from '../../../../locales/context';
import type { RunStatsOverTime } from '../../../../services/types';
import { formatDuration } from '../../../../utils/time';
import { CHART_STATUSES, chartData } from './chartData';
import { BUCKETS } from './urlState';

// Only what these two charts use, so the chunk stays small. SVG rather than canvas: crisp at
// any zoom, and the bars are elements a browser test can count.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const GRID = { left: 48, right: 16, top: 40, bottom: 32 };
const NARROW_GRID = { left: 40, right: 8, top: 16, bottom: 28 };

/**
 * Totals over the range, the outcomes per bucket (stacked) and the durations per bucket. In a
 * `narrow` place (the task drawer, above the runs) they are lower and without legends: the
 * tooltip names each series.
 */
export function RunCharts({ stats, narrow = false }: { stats: RunStatsOverTime; narrow?: boolean }) {
  const t = useT();
  const bucketMs = BUCKETS.find((b) => b.name === stats.bucket)?.ms ?? 3_600_000;
  const data = useMemo(() => chartData(stats.buckets, bucketMs), [stats, bucketMs]);

  const outcomes = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { show: !narrow, top: 0, type: 'scroll', itemWidth: 12, itemHeight: 8, itemGap: 8, textStyle: { fontSize: 11 } },
      grid: narrow ? NARROW_GRID : GRID,
      xAxis: { type: 'category', data: data.labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: CHART_STATUSES.map(({ status, color }) => ({
        name: t(`status.${status}`),
        type: 'bar',
        stack: 'runs',
        itemStyle: { color },
        data: data.counts[status],
      })),
    }),
    [data, t, narrow],
  );
  const durations = useMemo(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? formatDuration(v) : '—') },
      legend: { show: !narrow, top: 0 },
      grid: narrow ? NARROW_GRID : GRID,
      xAxis: { type: 'category', data: data.labels },
      yAxis: { type: 'value', name: narrow ? undefined : 'ms' },
      series: [
        { name: t('runsPage.chart.avg'), type: 'line', connectNulls: false, showSymbol: true, itemStyle: { color: '#1677ff' }, data: data.avg },
        { name: t('runsPage.chart.max'), type: 'line', connectNulls: false, showSymbol: true, itemStyle: { color: '#ff7a45' }, data: data.max },
      ],
    }),
    [data, t, narrow],
  );

  return (
    <>
      <Row gutter={[16, narrow ? 8 : 16]} style={{ marginBottom: narrow ? 8 : 16 }} data-testid="runs-summary" data-total={data.total} data-failed={data.failed}>
        <Col xs={12} md={6}>
          <Statistic title={t('runsPage.summary.total')} value={data.total} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('runsPage.summary.rate')}
            value={data.successRate === null ? '—' : `${(data.successRate * 100).toFixed(1)} %`}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('runsPage.summary.failed')} value={data.failed} valueStyle={data.failed ? { color: '#cf1322' } : undefined} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('runsPage.summary.avg')} value={data.meanDuration === null ? '—' : formatDuration(data.meanDuration)} />
        </Col>
      </Row>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('runsPage.chart.outcomes', { bucket: stats.bucket })} data-testid="chart-outcomes">
            <ReactEChartsCore echarts={echarts} option={outcomes} notMerge style={{ height: narrow ? 170 : 260 }} opts={{ renderer: 'svg' }} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('runsPage.chart.durations', { bucket: stats.bucket })} data-testid="chart-durations">
            <ReactEChartsCore echarts={echarts} option={durations} notMerge style={{ height: narrow ? 170 : 260 }} opts={{ renderer: 'svg' }} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
