import { BellOutlined, HistoryOutlined, LogoutOutlined, MenuOutlined, ScheduleOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Drawer, Layout, Menu, type MenuProps, Tag } from 'antd';
import { type ReactNode, useState } from 'react';
import { useAuth } from '../auth/context';
import type { Session } from '../auth/token';
import { HoverTip } from '../components/HoverTip';
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
    <span className="identity" data-testid="identity">
      <Tag color="geekblue" data-testid="identity-tenant">
        {t('app.tenant', { id: session.tenantId })}
      </Tag>
      {compact ? (
        // On a phone the subject moves into a tooltip; tenant and role stay visible.
        <HoverTip title={session.subject}>
          <UserOutlined aria-label={session.subject} />
        </HoverTip>
      ) : (
        // Cut by CSS, the whole subject in a tooltip mounted at the first hover.
        <HoverTip title={session.subject}>
          <span className="identity-subject cell-ellipsis">
            <UserOutlined /> {session.subject || '—'}
          </span>
        </HoverTip>
      )}
      <Tag color={ROLE_COLOR[session.role]} data-testid="identity-role">
        {t(`role.${session.role}`)}
      </Tag>
    </span>
  );
}

/** Each page's menu entry, and the address it opens. */
const PAGES: { view: View; path: string; search: string; icon: ReactNode; label: 'app.menu.tasks' | 'app.menu.runs' | 'app.menu.alerts' }[] = [
  { view: 'tasks', path: '/system/scheduled-tasks/list', search: '', icon: <ScheduleOutlined />, label: 'app.menu.tasks' },
  { view: 'runs', path: '/system/scheduled-tasks/runs', search: '?view=runs', icon: <HistoryOutlined />, label: 'app.menu.runs' },
  { view: 'alerts', path: '/system/alerts', search: '?view=alerts', icon: <BellOutlined />, label: 'app.menu.alerts' },
];

/**
 * The console's frame: a header with the logo and title, the menu, who is signed in, the
 * language and sign-out, and the token's expiry notice above the page. Plain antd Layout and
 * Menu: ProLayout's context, menu loader and settings cost the first screen about 0.2 s of the
 * main thread (web/README.md, "Speed with 1,000 tasks").
 */
export function AppLayout({ children, view, navigate }: { children: ReactNode; view: View; navigate: (search: string) => void }) {
  const t = useT();
  const { session, signOut } = useAuth();
  const compact = !useScreens().md;
  const [menuOpen, setMenuOpen] = useState(false);
  // The deleted tasks are a view of the task list (opened from it), under its menu entry.
  const current = PAGES.find((p) => p.view === (view === 'deleted' ? 'tasks' : view))?.path ?? PAGES[0].path;
  // The console is one document served at `/`: a menu entry changes the query string and the
  // page in place, without a reload.
  const items: MenuProps['items'] = PAGES.map((page) => ({
    key: page.path,
    icon: page.icon,
    label: (
      <a
        href={`/${page.search}`}
        data-testid={`menu-${page.path}`}
        onClick={(event) => {
          event.preventDefault();
          setMenuOpen(false);
          if (page.view !== view) navigate(page.search);
        }}
      >
        {t(page.label)}
      </a>
    ),
  }));
  return (
    <Layout className="app-layout">
      <Layout.Header className="app-header">
        {compact && (
          <Button type="text" icon={<MenuOutlined />} onClick={() => setMenuOpen(true)} aria-label={t('app.menu.open')} data-testid="menu-open" />
        )}
        <a
          className="app-brand"
          href="/"
          onClick={(event) => {
            event.preventDefault();
            if (view !== 'tasks') navigate('');
          }}
        >
          <img src="/favicon.svg" alt="" width={28} height={28} />
          {!compact && <h1>{t('app.title')}</h1>}
        </a>
        {compact ? (
          <Drawer
            open={menuOpen}
            onClose={() => setMenuOpen(false)}
            placement="left"
            width={240}
            title={t('app.title')}
            styles={{ body: { padding: 0 } }}
          >
            <Menu mode="inline" selectedKeys={[current]} items={items} />
          </Drawer>
        ) : (
          <Menu mode="horizontal" selectedKeys={[current]} items={items} className="app-menu" />
        )}
        <div className="app-actions">
          {session && <Identity session={session} compact={compact} />}
          <LanguageSwitch compact={compact} />
          <HoverTip title={t('app.signOut')}>
            <Button type="text" size="small" icon={<LogoutOutlined />} onClick={() => signOut()} aria-label={t('app.signOut')} data-testid="sign-out" />
          </HoverTip>
        </div>
      </Layout.Header>
      <Layout.Content className="app-content">
        <TokenExpiryWarning />
        {children}
      </Layout.Content>
    </Layout>
  );
}
