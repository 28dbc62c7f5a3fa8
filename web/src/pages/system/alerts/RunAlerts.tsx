import { Space, Typography } from 'antd';
import { useRemote } from '../../../hooks/useRemote';
import type { Run } from '../../../services/types';
import { formatLocal } from '../../../utils/time';
import { alertsApi } from './api';
import { Deliveries } from './Deliveries';
import { useAlertsT } from './messages';

/** Why a run was started, in words, and the notices it sent (deliveries about it). */
export default function RunAlerts({ run }: { run: Run }) {
  const a = useAlertsT();
  // A run sends its notices as it ends; while live it has none, and its ending changes the key.
  const deliveries = useRemote(`run-deliveries:${run.uuid}:${run.status}`, () => alertsApi.deliveries({ run_uuid: run.uuid }));
  const channels = useRemote((deliveries.data?.length ?? 0) > 0 ? 'channels' : null, () => alertsApi.channels());
  const why = (() => {
    switch (run.trigger) {
      case 'schedule':
        return a('run.why.schedule', { time: formatLocal(run.scheduled_for) });
      case 'catch_up':
        return a('run.why.catch_up', { time: formatLocal(run.scheduled_for) });
      case 'chain':
        return a('run.why.chain', { run: run.parent?.run_uuid.slice(0, 8) ?? '' });
      default:
        return a(run.args !== null && run.args !== undefined ? 'run.why.manualArgs' : 'run.why.manual');
    }
  })();
  const sent = deliveries.data ?? [];
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="run-alerts">
      <Typography.Text data-testid="run-why">
        {a('run.why')}: {why}
      </Typography.Text>
      {sent.length > 0 && (
        <>
          <Typography.Text strong>{a('delivery.run')}</Typography.Text>
          <Deliveries deliveries={sent} channels={channels.data ?? []} testId="run-deliveries" />
        </>
      )}
    </Space>
  );
}
