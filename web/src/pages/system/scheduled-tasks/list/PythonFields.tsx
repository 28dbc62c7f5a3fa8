import { Form, Input } from 'antd';
import { useT } from '../../../../locales/context';
import { jsonTextError } from './formModel';
import { KeyValueEditor } from './KeyValueEditor';
import { PythonEditor } from './PythonEditor';

/** Script (highlighted editor), JSON arguments and non-secret environment variables. */
export function PythonFields() {
  const t = useT();
  return (
    <>
      <Form.Item name="script" label={t('form.script')} extra={t('form.script.help')} rules={[{ required: true, message: t('form.required') }]}>
        <PythonEditor />
      </Form.Item>
      <Form.Item
        name="args"
        label={t('form.args')}
        extra={t('form.args.help')}
        rules={[
          {
            validator: async (_, value: string | undefined) => {
              const error = jsonTextError(value);
              if (error) throw new Error(t('form.body.invalid', { error }));
            },
          },
        ]}
      >
        <Input.TextArea className="mono" autoSize={{ minRows: 2, maxRows: 8 }} spellCheck={false} placeholder='{"days": 7}' />
      </Form.Item>
      <Form.Item name="env" label={t('form.env')}>
        <KeyValueEditor addLabel={t('form.env.add')} testId="env-editor" />
      </Form.Item>
    </>
  );
}
