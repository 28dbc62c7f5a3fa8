import { ClockCircleOutlined } from '@ant-design/icons';
import { Alert } from 'antd';
import { useEffect, useState } from 'react';
import { useAuth } from '../auth/context';
import { useT } from '../locales/context';
import { formatExact } from '../utils/time';

/** How long before the token's `exp` the console says it is about to end. */
export const EXPIRY_WARNING_MS = 5 * 60_000;

/**
 * A lasting notice from five minutes before the token expires: when the sign-in ends, and that
 * an open form's draft is kept for after signing in again.
 */
export function TokenExpiryWarning() {
  const t = useT();
  const { session } = useAuth();
  const expiresAt = session ? session.exp * 1000 : null;
  const [due, setDue] = useState(false);

  useEffect(() => {
    if (expiresAt === null) return undefined;
    const ms = expiresAt - EXPIRY_WARNING_MS - Date.now();
    // setTimeout's limit is ~24.8 days; a longer-lived token is looked at again on reload.
    if (ms > 2 ** 31 - 1) return undefined;
    const timer = window.setTimeout(() => setDue(true), Math.max(ms, 0));
    return () => {
      window.clearTimeout(timer);
      setDue(false);
    };
  }, [expiresAt]);

  if (!due || expiresAt === null) return null;
  return (
    <Alert
      type="warning"
      showIcon
      icon={<ClockCircleOutlined />}
      banner
      data-testid="token-expiry"
      message={t('auth.expiresSoon', { time: formatExact(new Date(expiresAt).toISOString()).slice(11) })}
    />
  );
}
