import { DeleteOutlined, EyeInvisibleOutlined, EyeOutlined, LockOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Input, Space, Tooltip } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import { type KeyValueRow, looksSecret } from '../../../../utils/headers';

interface Props {
  value?: KeyValueRow[];
  onChange?: (rows: KeyValueRow[]) => void;
  addLabel: string;
  /** Mask values that look like secrets (headers); environment variables are non-secret. */
  maskSecrets?: boolean;
  testId: string;
}

/** A small name/value table, used as one form field so that API errors land on it whole. */
export function KeyValueEditor({ value, onChange, addLabel, maskSecrets = false, testId }: Props) {
  const t = useT();
  const rows = value ?? [];
  const [revealed, setRevealed] = useState<Set<number>>(new Set());
  const update = (index: number, patch: Partial<KeyValueRow>) =>
    onChange?.(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const toggle = (index: number) =>
    setRevealed((old) => {
      const next = new Set(old);
      if (!next.delete(index)) next.add(index);
      return next;
    });

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={6} data-testid={testId}>
      {rows.map((row, index) => {
        const secret = maskSecrets && looksSecret(row.key, row.value);
        const masked = secret && !revealed.has(index);
        return (
          <Space.Compact key={index} style={{ width: '100%' }}>
            <Input
              style={{ width: '40%' }}
              placeholder={t('form.headers.name')}
              value={row.key}
              onChange={(e) => update(index, { key: e.target.value })}
              className="mono"
              aria-label={t('form.headers.name')}
            />
            {/* The type flips in place (no remount), so typing "Bearer …" keeps the focus. */}
            <Input
              style={{ width: '60%' }}
              type={masked ? 'password' : 'text'}
              placeholder={t('form.headers.value')}
              value={row.value}
              onChange={(e) => update(index, { value: e.target.value })}
              className="mono"
              aria-label={t('form.headers.value')}
              autoComplete="off"
              data-secret={secret ? 'true' : 'false'}
              prefix={
                secret ? (
                  <Tooltip title={t('form.headers.secret')}>
                    <LockOutlined />
                  </Tooltip>
                ) : (
                  <span />
                )
              }
              // Prefix and suffix are always present: antd remounts the input when they appear.
              suffix={
                secret ? (
                  <span role="button" tabIndex={0} onClick={() => toggle(index)} style={{ cursor: 'pointer' }}>
                    {masked ? <EyeInvisibleOutlined /> : <EyeOutlined />}
                  </span>
                ) : (
                  <span />
                )
              }
            />
            <Button
              icon={<DeleteOutlined />}
              onClick={() => {
                setRevealed(new Set());
                onChange?.(rows.filter((_, i) => i !== index));
              }}
              aria-label="remove"
            />
          </Space.Compact>
        );
      })}
      <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => onChange?.([...rows, { key: '', value: '' }])}>
        {addLabel}
      </Button>
    </Space>
  );
}
