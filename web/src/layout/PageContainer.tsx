import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../locales/context';

/**
 * A page's title, subtitle and actions above its content, in Ant Design Pro's page-header look
 * (what ProComponents' PageContainer drew, without its ProLayout context).
 */
export function PageContainer({
  title,
  subTitle,
  extra,
  onBack,
  children,
}: {
  title: ReactNode;
  subTitle?: ReactNode;
  extra?: ReactNode;
  /** Shows a back arrow before the title. */
  onBack?: () => void;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className="page">
      <div className="page-header">
        <div className="page-heading">
          {onBack && (
            <Button type="text" size="small" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t('common.back')} data-testid="page-back" />
          )}
          <h2 className="page-title" data-testid="page-title">
            {title}
          </h2>
          {subTitle && <span className="page-subtitle">{subTitle}</span>}
        </div>
        {extra && <div className="page-extra">{extra}</div>}
      </div>
      <div className="page-body">{children}</div>
    </div>
  );
}
