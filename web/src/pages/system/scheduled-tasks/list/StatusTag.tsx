import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  FieldTimeOutlined,
  MinusCircleOutlined,
  StopOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../../../../locales/context';
import type { RunStatus } from '../../../../services/types';

const LOOK: Record<RunStatus, { color: string; icon: ReactNode }> = {
  queued: { color: 'default', icon: <ClockCircleOutlined /> },
  running: { color: 'processing', icon: <SyncOutlined spin /> },
  succeeded: { color: 'success', icon: <CheckCircleOutlined /> },
  failed: { color: 'error', icon: <CloseCircleOutlined /> },
  timed_out: { color: 'warning', icon: <FieldTimeOutlined /> },
  cancelled: { color: 'default', icon: <StopOutlined /> },
  skipped: { color: 'default', icon: <MinusCircleOutlined /> },
};

/** A run state as a coloured tag; `null` reads "Never run". */
export function StatusTag({ status }: { status: RunStatus | null }) {
  const t = useT();
  if (!status) return <Tag bordered={false}>{t('status.none')}</Tag>;
  const look = LOOK[status] ?? LOOK.queued;
  return (
    <Tag color={look.color} icon={look.icon} data-status={status}>
      {t(`status.${status}`)}
    </Tag>
  );
}
