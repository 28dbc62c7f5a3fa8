import { Col, DatePicker, Form, InputNumber, Row, Select } from 'antd';
import { useT } from '../../../../locales/context';
import type { Backoff, MisfirePolicy, OverlapPolicy } from '../../../../services/types';
import type { TaskFormValues } from './formModel';

const OVERLAP: OverlapPolicy[] = ['skip', 'allow', 'queue_one', 'replace'];
const MISFIRE: MisfirePolicy[] = ['fire_once', 'skip', 'fire_all'];
const BACKOFF: Backoff[] = ['fixed', 'exponential'];

/** Retries, timeout, overlap and misfire policies, and the trigger's active window. */
export function AdvancedFields() {
  const t = useT();
  const triggerType = Form.useWatch<TaskFormValues['trigger_type']>('trigger_type');
  const seconds = (max: number) => ({ min: 0, max, precision: 0, style: { width: '100%' } });
  return (
    <Row gutter={12}>
      <Col xs={12} sm={8}>
        <Form.Item name="max_retries" label={t('form.maxRetries')}>
          <InputNumber {...seconds(100)} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={8}>
        <Form.Item name="retry_delay_seconds" label={t('form.retryDelay')}>
          <InputNumber {...seconds(86_400)} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={8}>
        <Form.Item name="backoff" label={t('form.backoff')}>
          <Select options={BACKOFF.map((b) => ({ value: b, label: t(`form.backoff.${b}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} sm={8}>
        <Form.Item name="max_delay_seconds" label={t('form.maxDelay')}>
          <InputNumber {...seconds(86_400)} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item name="timeout_seconds" label={t('form.timeout')}>
          <InputNumber min={1} precision={0} style={{ width: '100%' }} placeholder={t('form.timeout.placeholder')} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item name="misfire_grace_seconds" label={t('form.misfireGrace')}>
          <InputNumber {...seconds(86_400)} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="overlap_policy" label={t('form.overlap')}>
          <Select options={OVERLAP.map((o) => ({ value: o, label: t(`form.overlap.${o}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="misfire_policy" label={t('form.misfire')}>
          <Select options={MISFIRE.map((m) => ({ value: m, label: t(`form.misfire.${m}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item
          name="start_at"
          label={t('form.startAt')}
          extra={triggerType === 'interval' ? t('form.startAt.intervalHelp') : undefined}
        >
          <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item name="end_at" label={t('form.endAt')}>
          <DatePicker showTime format="YYYY-MM-DD HH:mm:ss" style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item name="jitter_seconds" label={t('form.jitter')} tooltip={t('form.jitter.tooltip')}>
          <InputNumber {...seconds(3600)} />
        </Form.Item>
      </Col>
    </Row>
  );
}
