import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Empty, List, Select, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';
import { fieldErrorText } from '../../../../services/problemText';
import { tasksApi } from '../../../../services/tasks';
import type { ChainedTask, ChainOn, TaskChains } from '../../../../services/types';
import { useRemote } from '../../../../hooks/useRemote';
import { errorMessage } from './apiErrors';

const OUTCOMES: ChainOn[] = ['success', 'failure', 'completion'];
/** The most links a task may have (the server refuses more). */
const MAX_LINKS = 20;

interface Row {
  task_uuid: string | undefined;
  label: string | undefined;
  on: ChainOn;
}

/** One linked task: code, name, when, and whether it is stopped. */
function Linked({ task, testId }: { task: ChainedTask; testId: string }) {
  const t = useT();
  return (
    <Space wrap data-testid={testId}>
      <Typography.Text code>{task.code}</Typography.Text>
      <Typography.Text>{task.name}</Typography.Text>
      <Tag color="blue">{t(`chains.on.${task.on as ChainOn}`)}</Tag>
      {!task.is_active && <Tag>{t('chains.stopped')}</Tag>}
    </Space>
  );
}

/** A task picker that searches the tenant's tasks by name or code. */
function TaskPicker({ value, label, exclude, onChange, testId }: {
  value: string | undefined;
  label: string | undefined;
  exclude: string;
  onChange: (uuid: string, label: string) => void;
  testId: string;
}) {
  const t = useT();
  const [keyword, setKeyword] = useState('');
  const found = useRemote(`chain-picker:${keyword}`, () => tasksApi.list({ keyword: keyword || undefined, page_size: 20, sort: 'code' }));
  const options = (found.data?.items ?? [])
    .filter((task) => task.uuid !== exclude)
    .map((task) => ({ value: task.uuid, label: `${task.code} · ${task.name}` }));
  if (value && label && !options.some((o) => o.value === value)) options.unshift({ value, label });
  return (
    <Select
      showSearch
      style={{ minWidth: 260 }}
      placeholder={t('chains.task')}
      value={value}
      filterOption={false}
      onSearch={setKeyword}
      notFoundContent={found.loading ? <Spin size="small" /> : undefined}
      options={options}
      onChange={(uuid: string) => onChange(uuid, options.find((o) => o.value === uuid)?.label ?? uuid)}
      data-testid={testId}
    />
  );
}

/** The field errors of a refused save, by row (`children[i]…`), translated. */
function rowErrors(error: unknown, t: ReturnType<typeof useT>): Map<number, string> {
  const byRow = new Map<number, string>();
  if (!(error instanceof ApiError)) return byRow;
  for (const e of error.problem?.errors ?? []) {
    const row = /^children\[(\d+)\]/.exec(e.field);
    if (row) byRow.set(Number(row[1]), fieldErrorText(e, t));
  }
  return byRow;
}

function Editor({ taskUuid, chains, onSaved, onCancel }: { taskUuid: string; chains: TaskChains; onSaved: () => void; onCancel: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Row[]>(() =>
    chains.children.map((c) => ({ task_uuid: c.task_uuid, label: `${c.code} · ${c.name}`, on: c.on as ChainOn })),
  );
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const errors = rowErrors(error, t);
  const update = (i: number, change: Partial<Row>) => setRows(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const save = async () => {
    setSaving(true);
    try {
      await tasksApi.setChains(
        taskUuid,
        rows.filter((r) => r.task_uuid).map((r) => ({ task_uuid: r.task_uuid ?? '', on: r.on })),
      );
      message.success(t('chains.saved'));
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="chains-editor">
      {rows.map((row, i) => (
        <Space key={i} direction="vertical" size={0}>
          <Space wrap>
            <TaskPicker
              value={row.task_uuid}
              label={row.label}
              exclude={taskUuid}
              onChange={(uuid, label) => update(i, { task_uuid: uuid, label })}
              testId={`chain-task-${i}`}
            />
            <Select<ChainOn>
              style={{ width: 160 }}
              value={row.on}
              onChange={(on) => update(i, { on })}
              options={OUTCOMES.map((on) => ({ value: on, label: t(`chains.on.${on}`) }))}
              data-testid={`chain-on-${i}`}
            />
            <Button icon={<DeleteOutlined />} aria-label={t('chains.remove')} onClick={() => setRows(rows.filter((_, j) => j !== i))} />
          </Space>
          {errors.has(i) && (
            <Typography.Text type="danger" data-testid={`chain-error-${i}`}>
              {errors.get(i)}
            </Typography.Text>
          )}
        </Space>
      ))}
      {error !== undefined && errors.size === 0 && <Alert type="error" showIcon message={errorMessage(error, t)} />}
      <Space>
        <Button
          icon={<PlusOutlined />}
          disabled={rows.length >= MAX_LINKS}
          onClick={() => setRows([...rows, { task_uuid: undefined, label: undefined, on: 'success' }])}
          data-testid="chain-add"
        >
          {t('chains.add')}
        </Button>
        <Button type="primary" loading={saving} onClick={() => void save()} data-testid="chains-save">
          {t('chains.save')}
        </Button>
        <Button onClick={onCancel}>{t('chains.cancel')}</Button>
      </Space>
    </Space>
  );
}

/** A task's chains: the tasks its runs queue (editable by admins) and the tasks that queue it. */
export function ChainsTab({ taskUuid, canEdit }: { taskUuid: string; canEdit: boolean }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const chains = useRemote(taskUuid, () => tasksApi.chains(taskUuid));
  if (chains.error !== undefined) return <Typography.Text type="danger">{errorMessage(chains.error, t)}</Typography.Text>;
  if (!chains.data) return <Spin />;
  const { children, parents } = chains.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="chains-tab">
      <Typography.Text type="secondary">{t('chains.hint')}</Typography.Text>
      <Typography.Text strong>{t('chains.children')}</Typography.Text>
      {editing ? (
        <Editor
          taskUuid={taskUuid}
          chains={chains.data}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            chains.reload();
          }}
        />
      ) : (
        <>
          {children.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chains.none')} />
          ) : (
            <List size="small" dataSource={children} renderItem={(c, i) => <List.Item><Linked task={c} testId={`chain-child-${i}`} /></List.Item>} />
          )}
          {canEdit && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="chains-edit">
              {t('chains.edit')}
            </Button>
          )}
        </>
      )}
      <Typography.Text strong>{t('chains.parents')}</Typography.Text>
      {parents.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chains.none')} />
      ) : (
        <List size="small" dataSource={parents} renderItem={(p, i) => <List.Item><Linked task={p} testId={`chain-parent-${i}`} /></List.Item>} />
      )}
    </Space>
  );
}
