import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, InputNumber, Select, Space } from 'antd';
import { useMemo } from 'react';
import { useServerFieldErrors } from '../../../hooks/useServerFieldErrors';
import { browserTimeZone, timeZoneNames } from '../../../utils/time';
import { alertsApi, type Deadline } from './api';
import { useAlertsT } from './messages';
import { deadlineRow, deadlineSpec, placeDeadlineField, UNITS, type DeadlineRow, type Unit } from './model';

/** The most deadlines a task may have (the server refuses more). */
const MAX_DEADLINES = 10;

/** Edits a task's deadlines as a whole (`PUT /{uuid}/deadlines`); refusals go under their row's field. */
export function DeadlinesEditor({ taskUuid, deadlines, onSaved, onCancel }: {
  taskUuid: string;
  deadlines: Deadline[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const a = useAlertsT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ deadlines: DeadlineRow[] }>();
  const rows = Form.useWatch('deadlines', form) ?? [];
  const { saving, banner, submit } = useServerFieldErrors(form, placeDeadlineField);
  const zones = useMemo(() => timeZoneNames().map((z) => ({ value: z, label: z })), []);

  const save = () =>
    submit(async (values) => {
      await alertsApi.setDeadlines(taskUuid, (values.deadlines ?? []).map(deadlineSpec));
      message.success(a('deadlines.saved'));
      onSaved();
    });

  return (
    <Form form={form} layout="vertical" initialValues={{ deadlines: deadlines.map(deadlineRow) }} data-testid="deadlines-editor">
      {banner.length > 0 && <Alert type="error" showIcon message={banner.join('; ')} style={{ marginBottom: 12 }} />}
      <Form.List name="deadlines">
        {(fields, { add, remove }) => (
          <Space direction="vertical" style={{ width: '100%' }}>
            {fields.map((field, i) => (
              <Space key={field.key} wrap align="start" data-testid={`deadline-row-${i}`}>
                <Form.Item name={[field.name, 'kind']} label={a('deadline.kind')}>
                  <Select
                    style={{ width: 230 }}
                    data-testid={`deadline-kind-${i}`}
                    options={[
                      { value: 'every', label: a('deadline.kind.every') },
                      { value: 'by', label: a('deadline.kind.by') },
                    ]}
                  />
                </Form.Item>
                {rows[i]?.kind === 'by' ? (
                  <>
                    <Form.Item name={[field.name, 'by']} label={a('deadline.by')} rules={[{ required: true, message: a('channel.required') }]}>
                      <Input style={{ width: 100 }} placeholder="07:30" data-testid={`deadline-by-${i}`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'timezone']} label={a('deadline.timezone')}>
                      <Select showSearch style={{ width: 200 }} options={zones} data-testid={`deadline-zone-${i}`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'days']} label={a('deadline.days')} tooltip={a('deadline.days.hint')}>
                      <Input style={{ width: 150 }} placeholder="* * *" className="mono" data-testid={`deadline-days-${i}`} />
                    </Form.Item>
                  </>
                ) : (
                  <>
                    <Form.Item name={[field.name, 'every_value']} label={a('deadline.every')} rules={[{ required: true, message: a('channel.required') }]}>
                      <InputNumber min={1} precision={0} style={{ width: 110 }} data-testid={`deadline-every-${i}`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'every_unit']} label=" ">
                      <Select<Unit>
                        style={{ width: 110 }}
                        data-testid={`deadline-unit-${i}`}
                        options={(Object.keys(UNITS) as Unit[]).map((u) => ({ value: u, label: a(`deadline.unit.${u}`) }))}
                      />
                    </Form.Item>
                  </>
                )}
                <Form.Item label=" ">
                  <Button icon={<DeleteOutlined />} aria-label={a('deadline.remove')} onClick={() => remove(field.name)} />
                </Form.Item>
              </Space>
            ))}
            <Space>
              <Button
                icon={<PlusOutlined />}
                disabled={fields.length >= MAX_DEADLINES}
                onClick={() => add({ kind: 'every', every_value: 1, every_unit: 'hours', timezone: browserTimeZone(), days: '* * *' } satisfies DeadlineRow)}
                data-testid="deadline-add"
              >
                {a('deadlines.add')}
              </Button>
              <Button type="primary" loading={saving} onClick={() => void save()} data-testid="deadlines-save">
                {a('save')}
              </Button>
              <Button onClick={onCancel}>{a('cancel')}</Button>
            </Space>
          </Space>
        )}
      </Form.List>
    </Form>
  );
}
