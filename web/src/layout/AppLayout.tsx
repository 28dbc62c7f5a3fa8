import { BellOutlined, HistoryOutlined, LogoutOutlined, ScheduleOutlined, UserOutlined } from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { Button, Space, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useAuth } from '../auth/context';
import type { Session } from '../auth/token';
import { useScreens } from '../hooks/useScreens';
import { useT } from '../locales/context';
import { LanguageSwitch } from './LanguageSwitch';
import { TokenExpiryWarning } from './TokenExpiry';
import type { View } from './view';

const ROLE_COLOR = { admin: 'gold', operator: 'blue', viewer: 'default' } as const;

/** Who is signed in: tenant, subject and role, always visible in the header. */
function Identity({ session, compact }: { session: Session; compact: boolean }) {
  const t = useT();
  return (
    <Space size={4} align="center" className="identity" data-testid="identity">
      <Tag color="geekblue" data-testid="identity-tenant" style={{ marginInlineEnd: 0 }}>
        {t('app.tenant', { id: session.tenantId })}
      </Tag>
      {compact ? (
        // On a phone the subject moves into a tooltip; tenant and role stay visible.
        <Tooltip title={session.subject}>
          <UserOutlined aria-label={session.subject} />
        </Tooltip>
      ) : (
        <Typography.Text className="identity-subject" ellipsis={{ tooltip: session.subject }}>
          <UserOutlined /> {session.subject || '—'}
        </Typography.Text>
      )}
      <Tag color={ROLE_COLOR[session.role]} data-testid="identity-role" style={{ marginInlineEnd: 0 }}>
        {t(`role.${session.role}`)}
      </Tag>
    </Space>
  );
}

/**
 * The content's padding as ProLayout sets it once a PageContainer has registered (an effect after
 * the first render): every page is one, and given from the start the page does not jump 32 px up
 * after it is first drawn.
 */
const CONTENT_STYLE = { padding: 0 };

/** Each page's menu path, and the address the menu entry opens. */
const PAGES: { view: View; path: string; search: string }[] = [
  { view: 'tasks', path: '/system/scheduled-tasks/list', search: '' },
  { view: 'runs', path: '/system/scheduled-tasks/runs', search: '?view=runs' },
  { view: 'alerts', path: '/system/alerts', search: '?view=alerts' },
];

export function AppLayout({ children, view, navigate }: { children: ReactNode; view: View; navigate: (search: string) => void }) {
  const t = useT();
  const { session, signOut } = useAuth();
  const compact = !useScreens().md;
  return (
    <ProLayout
      title={t('app.title')}
      logo="/favicon.svg"
      layout="top"
      fixedHeader
      contentWidth="Fluid"
      // The deleted tasks are a view of the task list (opened from it), under its menu entry.
      location={{ pathname: PAGES.find((p) => p.view === (view === 'deleted' ? 'tasks' : view))?.path }}
      route={{
        path: '/',
        routes: [
          { path: PAGES[0].path, name: t('app.menu.tasks'), icon: <ScheduleOutlined /> },
          { path: PAGES[1].path, name: t('app.menu.runs'), icon: <HistoryOutlined /> },
          { path: PAGES[2].path, name: t('app.menu.alerts'), icon: <BellOutlined /> },
        ],
      }}
      // The console is one document served at `/`: a menu entry changes the query string and
      // the page in place, without a reload.
      menuItemRender={(item, dom) => {
        const page = PAGES.find((p) => p.path === item.path);
        return (
          <a
            href={`/${page?.search ?? ''}`}
            data-testid={`menu-${item.path}`}
            onClick={(event) => {
              event.preventDefault();
              if (page && page.view !== view) navigate(page.search);
            }}
          >
            {dom}
          </a>
        );
      }}
      actionsRender={() => [
        session ? <Identity key="who" session={session} compact={compact} /> : null,
        <LanguageSwitch key="lang" compact={compact} />,
        <Tooltip key="out" title={t('app.signOut')}>
          <Button type="text" size="small" icon={<LogoutOutlined />} onClick={() => signOut()} aria-label={t('app.signOut')} data-testid="sign-out" />
        </Tooltip>,
      ]}
      token={{ header: { colorBgHeader: '#fff' } }}
      contentStyle={CONTENT_STYLE}
    >
      <TokenExpiryWarning />
      {children}
    </ProLayout>
  );
}
