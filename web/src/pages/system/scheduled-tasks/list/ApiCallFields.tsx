import { Button, Col, Form, Input, Row, Select, Switch } from 'antd';
import { useT } from '../../../../locales/context';
import type { HttpMethod } from '../../../../services/types';
import { jsonTextError, type TaskFormValues } from './formModel';
import { KeyValueEditor } from './KeyValueEditor';
import type { KeyValueRow } from '../../../../utils/headers';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * URL, method, headers (secrets masked) and a JSON body checked as it is typed. `reenter` names
 * headers whose value must be typed again (a clone's secrets, which the server never shows).
 */
export function ApiCallFields({ reenter = [] }: { reenter?: string[] }) {
  const t = useT();
  const form = Form.useFormInstance<TaskFormValues>();
  const required = { required: true, message: t('form.required') };

  const formatBody = () => {
    const text: string | undefined = form.getFieldValue('body');
    if (!text?.trim() || jsonTextError(text)) return;
    form.setFieldValue('body', JSON.stringify(JSON.parse(text), null, 2));
  };

  return (
    <>
      <Row gutter={12}>
        <Col xs={24} sm={6}>
          <Form.Item name="method" label={t('form.method')} rules={[required]}>
            <Select options={METHODS.map((m) => ({ value: m, label: m }))} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={18}>
          <Form.Item
            name="url"
            label={t('form.url')}
            rules={[required, { pattern: /^https?:\/\/\S+$/i, message: t('form.url.invalid') }]}
          >
            <Input className="mono" placeholder="https://api.example.com/endpoint" spellCheck={false} autoComplete="off" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        name="headers"
        label={t('form.headers')}
        rules={[
          {
            validator: async (_, rows: KeyValueRow[] | undefined) => {
              const empty = (rows ?? []).filter((row) => reenter.includes(row.key) && row.value === '').map((row) => row.key);
              if (empty.length) throw new Error(t('form.clone.reenterMissing', { names: empty.join(', ') }));
            },
          },
        ]}
      >
        <KeyValueEditor addLabel={t('form.headers.add')} maskSecrets testId="headers-editor" />
      </Form.Item>
      <Form.Item
        name="body"
        label={
          <span>
            {t('form.body')}{' '}
            <Button size="small" type="link" onClick={formatBody}>
              {t('form.body.format')}
            </Button>
          </span>
        }
        rules={[
          {
            validator: async (_, value: string | undefined) => {
              const error = jsonTextError(value);
              if (error) throw new Error(t('form.body.invalid', { error }));
            },
          },
        ]}
      >
        <Input.TextArea className="mono" autoSize={{ minRows: 3, maxRows: 12 }} spellCheck={false} placeholder='{"key": "value"}' />
      </Form.Item>
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item name="expected_status" label={t('form.expectedStatus')}>
            <Input placeholder={t('form.expectedStatus.placeholder')} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="follow_redirects" label={t('form.followRedirects')} valuePropName="checked">
            <Switch size="small" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}
