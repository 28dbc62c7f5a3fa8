import type { DescriptionsProps } from 'antd';
import { Typography } from 'antd';
import type { Translate } from '../../../../locales/context';
import type { ApiCallConfig, JsonValue, PythonScriptConfig, Task } from '../../../../services/types';
import { Pairs } from './cells';
import { expectedStatusList } from './formModel';
import { PythonEditor } from './PythonEditor';
import { redactHeaders } from './redact';

type Items = NonNullable<DescriptionsProps['items']>;

const json = (value: JsonValue) => (
  <pre className="log-view light" style={{ margin: 0 }}>
    {JSON.stringify(value, null, 2)}
  </pre>
);

/**
 * A task's config as an operator reads it: a Python script as highlighted code, an HTTP call as
 * method, URL, headers (secret-looking values masked) and body; never the raw `task_config`.
 */
export function taskConfigItems(task: Task, t: Translate): Items {
  if (task.type === 'python_script') {
    const config = task.task_config as PythonScriptConfig;
    const items: Items = [
      {
        key: 'script',
        label: t('form.script'),
        children: (
          <div style={{ width: '100%' }} data-testid="script-view">
            <PythonEditor value={config.script} readOnly />
          </div>
        ),
      },
    ];
    if (config.args !== undefined && config.args !== null) items.push({ key: 'args', label: t('form.args'), children: json(config.args as JsonValue) });
    if (config.env && Object.keys(config.env).length) {
      items.push({ key: 'env', label: t('form.env'), children: <Pairs record={config.env} separator="=" testId="env-view" /> });
    }
    return items;
  }
  const config = task.task_config as ApiCallConfig;
  const items: Items = [
    {
      key: 'request',
      label: t('drawer.request'),
      children: (
        <Typography.Text className="mono" copyable={{ text: config.url }} data-testid="request-view">
          {config.method ?? 'GET'} {config.url}
        </Typography.Text>
      ),
    },
  ];
  const headers = redactHeaders(config.headers as JsonValue | undefined);
  if (headers && typeof headers === 'object' && !Array.isArray(headers) && Object.keys(headers).length) {
    items.push({ key: 'headers', label: t('form.headers'), children: <Pairs record={headers} separator=": " testId="headers-view" /> });
  }
  if (config.query && Object.keys(config.query).length) {
    items.push({ key: 'query', label: t('drawer.query'), children: <Pairs record={config.query} separator="=" testId="query-view" /> });
  }
  if (config.data !== undefined && config.data !== null) items.push({ key: 'body', label: t('form.body'), children: json(config.data as JsonValue) });
  const expected = expectedStatusList(config);
  items.push({
    key: 'expected',
    label: t('form.expectedStatus'),
    children: expected.length ? expected.join(', ') : t('drawer.any2xx'),
  });
  if (config.follow_redirects) items.push({ key: 'redirects', label: t('drawer.redirects'), children: t('form.followRedirects') });
  return items;
}
