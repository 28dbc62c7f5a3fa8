import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import type { Task } from '../../../../services/types';
import { argsTarget, initialArgsText, MAX_RUN_ARGS_BYTES, parseRunArgs } from './runArgs';

interface Props {
  task: Task;
  onCancel: () => void;
  /** Runs the task with these arguments (none: as configured); resolves to whether it worked. */
  onRun: (args: Record<string, unknown> | undefined) => Promise<boolean>;
}

/**
 * Run now with arguments for this run only: a JSON object checked here as the server checks it
 * (JSON, an object, at most 64 KiB) before anything is sent. Mount it when it opens: it starts
 * from the task's own arguments each time.
 */
export function RunNowModal({ task, onCancel, onRun }: Props) {
  const t = useT();
  const target = argsTarget(task);
  const [text, setText] = useState(() => initialArgsText(task));
  const [problem, setProblem] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const submit = async () => {
    const parsed = parseRunArgs(target === 'none' ? '' : text);
    if (!parsed.ok) {
      setProblem(
        parsed.error === 'invalidJson'
          ? t('runArgs.invalidJson', { detail: parsed.detail })
          : parsed.error === 'notObject'
            ? t('runArgs.notObject')
            : t('runArgs.tooLarge', { size: parsed.size, max: MAX_RUN_ARGS_BYTES }),
      );
      return;
    }
    setRunning(true);
    const done = await onRun(parsed.args);
    setRunning(false);
    if (done) onCancel();
  };

  return (
    <Modal
      open
      title={t('runArgs.title', { name: task.name })}
      okText={t('tasks.action.run')}
      onOk={submit}
      okButtonProps={{ loading: running }}
      onCancel={onCancel}
      destroyOnHidden
      data-testid="run-args-modal"
    >
      {target === 'none' ? (
        <Alert type="info" showIcon message={t('runArgs.none')} data-testid="run-args-none" />
      ) : (
        <Form layout="vertical">
          <Form.Item
            label={t('runArgs.label')}
            validateStatus={problem ? 'error' : undefined}
            help={problem ?? t(target === 'script' ? 'runArgs.help.script' : 'runArgs.help.body')}
          >
            <Input.TextArea
              id="run_args"
              className="mono"
              autoSize={{ minRows: 4, maxRows: 16 }}
              value={text}
              placeholder='{"date": "2026-12-01"}'
              onChange={(event) => {
                setText(event.target.value);
                setProblem(null);
              }}
            />
          </Form.Item>
          <Typography.Text type="secondary">{t('runArgs.blank')}</Typography.Text>
        </Form>
      )}
    </Modal>
  );
}
