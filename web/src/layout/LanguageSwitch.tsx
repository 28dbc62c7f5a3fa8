import { GlobalOutlined } from '@ant-design/icons';
import { Segmented } from 'antd';
import { useLocale } from '../locales/context';
import type { Lang } from '../locales/lang';

/** 中文 / English; the choice is remembered in localStorage. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { lang, setLang, t } = useLocale();
  return (
    <Segmented<Lang>
      size="small"
      aria-label={t('app.language')}
      title={t('app.language')}
      data-testid="language-switch"
      value={lang}
      onChange={setLang}
      options={[
        { label: compact ? '中' : '中文', value: 'zh-CN', icon: compact ? undefined : <GlobalOutlined /> },
        { label: 'EN', value: 'en-US' },
      ]}
    />
  );
}
