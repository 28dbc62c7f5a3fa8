import { App as AntApp } from 'antd';
import { AuthProvider } from './auth/AuthProvider';
import { useAuth } from './auth/context';
import { SignIn } from './auth/SignIn';
import { AppLayout } from './layout/AppLayout';
import { LocaleProvider } from './locales/LocaleProvider';
import ScheduledTasksPage from './pages/system/scheduled-tasks/list';

function Shell() {
  const { session } = useAuth();
  if (!session) return <SignIn />;
  return (
    // Remount the page per session, so nothing of a previous tenant's view survives.
    <AppLayout>
      <ScheduledTasksPage key={`${session.tenantId}:${session.subject}:${session.role}`} />
    </AppLayout>
  );
}

export default function App() {
  return (
    <LocaleProvider>
      <AntApp>
        <AuthProvider>
          <Shell />
        </AuthProvider>
      </AntApp>
    </LocaleProvider>
  );
}
