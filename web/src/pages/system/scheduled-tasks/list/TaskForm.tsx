import { enUSIntl, ModalForm, ProConfigProvider, zhCNIntl } from '@ant-design/pro-components';
import { Alert, App, Col, Collapse, Divider, Form, Input, Radio, Row, Switch } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { useLocale } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';
import { tasksApi } from '../../../../services/tasks';
import type { ProblemField, Task, TaskType } from '../../../../services/types';
import { browserTimeZone, formatExact } from '../../../../utils/time';
import { AdvancedFields } from './AdvancedFields';
import { ApiCallFields } from './ApiCallFields';
import { errorMessage } from './apiErrors';
import { fieldErrorText } from '../../../../services/problemText';
import { ADVANCED_FIELDS, fieldErrorsFromProblem, type FormField } from './fieldErrors';
import { cloneStart, defaultValues, fromTask, type TaskFormValues, toCloneRequest, toTaskPatch, toTaskRequest } from './formModel';
import { type DraftKind, draftKey, draftStore } from './draft';
import { PythonFields } from './PythonFields';
import { TriggerFields } from './TriggerFields';

interface Props {
  /** The task to edit; none to create one. */
  task?: Task;
  /** The task a new one is cloned from (a create form prefilled with its definition). */
  clone?: Task;
  onClose: () => void;
  onSaved: (task: Task) => void;
}

const TASK_TYPES: TaskType[] = ['api_call', 'python_script'];

/** Problems the form cannot pin on a field: listed above the form. */
type Banner = { kind: 'conflict' } | { kind: 'fields'; errors: ProblemField[]; detail: string } | null;

/**
 * Create or edit a task in a modal; the server's validation errors land on their fields. What is
 * typed is kept as a draft in the tab (secrets left out) until it is saved or discarded, and
 * closing a changed form asks first.
 */
export function TaskForm({ task, clone, onClose, onSaved }: Props) {
  const { t, lang } = useLocale();
  const { message, modal } = App.useApp();
  const { session } = useAuth();
  const [kind] = useState<DraftKind>(() =>
    task ? { mode: 'edit', uuid: task.uuid } : clone ? { mode: 'clone', uuid: clone.uuid } : { mode: 'create' },
  );
  const key = draftKey(session?.tenantId ?? 0, kind);
  const [draft] = useState(() => draftStore.load(key));
  // An edit's draft is saved against the version it started from: if the task changed since,
  // the server answers with a conflict rather than the draft overwriting that change.
  const baseVersion = draft?.version ?? task?.version;
  const changed = useRef(draft !== null);
  const [form] = Form.useForm<TaskFormValues>();
  const zone = browserTimeZone();
  // Read once: switching the language while the form is open must not reset what was typed.
  const [startLang] = useState(lang);
  const [copySuffix] = useState(() => t('form.clone.nameSuffix'));
  const cloned = useMemo(
    () => (clone && !task ? cloneStart(clone, zone, startLang, copySuffix) : null),
    [clone, task, zone, startLang, copySuffix],
  );
  const initialValues = useMemo(
    () => draft?.values ?? (task ? fromTask(task, zone, startLang) : (cloned?.values ?? defaultValues(zone, startLang))),
    [draft, task, cloned, zone, startLang],
  );
  const reenter = useMemo(() => [...(cloned?.reenterHeaders ?? []), ...(draft?.secrets ?? [])], [cloned, draft]);

  const close = () => {
    draftStore.clear(key);
    onClose();
  };
  const requestClose = () => {
    if (!changed.current) return close();
    modal.confirm({
      title: t('form.discard.title'),
      content: t('form.discard.hint'),
      okText: t('form.discard.ok'),
      okButtonProps: { danger: true },
      cancelText: t('form.discard.keep'),
      onOk: close,
    });
  };
  const type = Form.useWatch('type', form) ?? initialValues.type;
  const [advancedOpen, setAdvancedOpen] = useState<string[]>([]);
  const [banner, setBanner] = useState<Banner>(null);
  const required = { required: true, message: t('form.required') };

  /** Puts each server error under its field; true when the error was a validation problem. */
  const showServerErrors = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false;
    if (error.problem?.code === 'version_conflict') {
      setBanner({ kind: 'conflict' });
      return true;
    }
    if (!error.problem?.errors?.length) return false;
    const { fields, unmatched } = fieldErrorsFromProblem(error.problem, t);
    const names = Object.keys(fields) as FormField[];
    form.setFields(names.map((name) => ({ name, errors: fields[name] ?? [] })));
    if (names.some((n) => ADVANCED_FIELDS.includes(n))) setAdvancedOpen(['advanced']);
    setBanner(unmatched.length ? { kind: 'fields', errors: unmatched, detail: error.message } : null);
    if (names.length) form.scrollToField(names[0], { block: 'center' });
    return true;
  };

  const onFinish = async () => {
    setBanner(null);
    // The raw store, not ProForm's transformed copy: date pickers must stay Dayjs here.
    const values = form.getFieldsValue(true) as TaskFormValues;
    try {
      const saved = task
        ? await tasksApi.update(task.uuid, toTaskPatch(values, { ...task, version: baseVersion ?? task.version }, zone))
        : await tasksApi.create(cloned ? toCloneRequest(values, cloned) : toTaskRequest(values));
      message.success(t(task ? 'tasks.updated' : 'tasks.created', { name: saved.name }));
      changed.current = false;
      draftStore.clear(key);
      onSaved(saved);
      return true;
    } catch (error) {
      if (!showServerErrors(error)) message.error(errorMessage(error, t));
      return false;
    }
  };

  return (
    // ProComponents' own texts (the OK and Cancel buttons) in the console's language.
    <ProConfigProvider intl={lang === 'zh-CN' ? zhCNIntl : enUSIntl}>
      <ModalForm<TaskFormValues>
        form={form}
        name="task"
        title={
          task ? t('form.editTitle', { name: task.name }) : clone ? t('form.cloneTitle', { name: clone.name }) : t('form.createTitle')
        }
        open
        layout="vertical"
        initialValues={initialValues}
        dateFormatter={false}
        className="task-form"
        width={880}
        modalProps={{ maskClosable: false }}
        submitter={{ searchConfig: { submitText: t('form.save'), resetText: t('form.cancel') } }}
        onFinish={onFinish}
        onOpenChange={(open) => !open && requestClose()}
        onValuesChange={() => {
          changed.current = true;
          draftStore.save(key, form.getFieldsValue(true) as TaskFormValues, task ? baseVersion : undefined);
        }}
        scrollToFirstError
      >
        {draft && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="draft-restored"
            message={t('form.draft.restored', { time: formatExact(new Date(draft.savedAt).toISOString()).slice(11) })}
            description={draft.secrets.length > 0 ? t('form.draft.secrets', { names: draft.secrets.join(', ') }) : undefined}
          />
        )}
        {cloned && (cloned.reenterHeaders.length > 0 || cloned.droppedQuery.length > 0) && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="clone-secrets"
            message={t('form.clone.secretsTitle')}
            description={
              <>
                {cloned.reenterHeaders.length > 0 && <div>{t('form.clone.reenterHeaders', { names: cloned.reenterHeaders.join(', ') })}</div>}
                {cloned.droppedQuery.length > 0 && <div>{t('form.clone.droppedQuery', { names: cloned.droppedQuery.join(', ') })}</div>}
              </>
            }
          />
        )}
        {banner?.kind === 'conflict' && <Alert type="error" showIcon message={t('form.conflict')} style={{ marginBottom: 16 }} />}
        {banner?.kind === 'fields' && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('form.errors.title')}
            description={
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {banner.errors.map((e) => (
                  <li key={`${e.field}:${e.code}:${e.message}`}>
                    {e.field ? <code>{e.field}</code> : null} {fieldErrorText(e, t)}
                  </li>
                ))}
              </ul>
            }
          />
        )}

        <Divider orientation="left" orientationMargin={0} plain>
          {t('form.section.basic')}
        </Divider>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('form.name')} rules={[required, { max: 100 }]}>
              <Input placeholder={t('form.name.placeholder')} maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="code"
              label={t('form.code')}
              tooltip={t('form.code.tooltip')}
              rules={[required, { max: 50 }, { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('form.code.pattern') }]}
            >
              <Input className="mono" placeholder="daily-report" maxLength={50} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={24} sm={task ? 24 : 16}>
            <Form.Item name="type" label={t('form.type')} rules={[required]}>
              <Radio.Group optionType="button" data-testid="task-type">
                {TASK_TYPES.map((tt) => (
                  <Radio.Button key={tt} value={tt}>
                    {t(`type.${tt}`)}
                  </Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
          </Col>
          {!task && (
            <Col xs={24} sm={8}>
              <Form.Item name="is_active" label={t('form.activeOnSave')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          )}
        </Row>
        <Form.Item name="description" label={t('form.description')}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} />
        </Form.Item>

        <Divider orientation="left" orientationMargin={0} plain>
          {t('form.section.trigger')}
        </Divider>
        <TriggerFields />

        <Divider orientation="left" orientationMargin={0} plain>
          {t('form.section.config')}
        </Divider>
        {type === 'python_script' ? <PythonFields /> : <ApiCallFields reenter={reenter} />}

        <Collapse
          ghost
          activeKey={advancedOpen}
          onChange={(keys) => setAdvancedOpen(Array.isArray(keys) ? keys : [keys])}
          items={[
            {
              key: 'advanced',
              label: t('form.section.advanced'),
              // Rendered while collapsed too, so its fields keep their values and can show errors.
              forceRender: true,
              children: <AdvancedFields />,
            },
          ]}
        />
      </ModalForm>
    </ProConfigProvider>
  );
}
