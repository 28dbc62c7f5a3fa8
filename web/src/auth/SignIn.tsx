import { LockOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { LanguageSwitch } from '../layout/LanguageSwitch';
import { useT } from '../locales/context';
import { splitMessage } from '../locales/format';
import { type SignInProblem, useAuth } from './context';

/** The commands the intro names, shown as code in every language. */
const COMMANDS: Record<string, string> = { serve: 'sundial serve', mint: 'sundial token --tenant <id>' };

interface Values {
  token: string;
  remember: boolean;
}

/** The paste-a-token screen, shown without a (valid) token and after any 401. */
export function SignIn() {
  const t = useT();
  const { signIn, problem: initialProblem } = useAuth();
  const [problem, setProblem] = useState<SignInProblem | null>(initialProblem);

  const onFinish = ({ token, remember }: Values) => setProblem(signIn(token, remember));

  return (
    <div className="sign-in">
      <div className="sign-in-lang">
        <LanguageSwitch />
      </div>
      <Card className="sign-in-card" data-testid="sign-in">
        <Typography.Title level={3}>
          <img src="/favicon.svg" alt="" className="sign-in-logo" />
          {t('signIn.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" data-testid="sign-in-intro">
          {splitMessage(t('signIn.intro')).map((part, i) =>
            typeof part === 'string' ? part : <Typography.Text key={i} code>{COMMANDS[part.name] ?? part.name}</Typography.Text>,
          )}
        </Typography.Paragraph>
        {problem && (
          <Alert type="warning" showIcon className="sign-in-alert" message={t(`signIn.problem.${problem}`)} />
        )}
        <Form<Values> layout="vertical" onFinish={onFinish} initialValues={{ token: '', remember: false }}>
          <Form.Item name="token" label={t('signIn.token')} rules={[{ required: true, message: t('signIn.tokenRequired') }]}>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 6 }}
              spellCheck={false}
              autoComplete="off"
              placeholder="eyJhbGciOiJIUzI1NiIs…"
              className="mono"
            />
          </Form.Item>
          <Form.Item name="remember" valuePropName="checked">
            <Checkbox>{t('signIn.remember')}</Checkbox>
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<LockOutlined />} block>
            {t('signIn.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
