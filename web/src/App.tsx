import { App as AntApp, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { AuthProvider } from './auth/AuthProvider';
import { useAuth } from './auth/context';
import { AppLayout } from './layout/AppLayout';
import { useView } from './layout/view';
import { LocaleProvider } from './locales/LocaleProvider';
import ScheduledTasksPage from './pages/system/scheduled-tasks/list';

// Signing in is needed once per session, not on the list's first screen.
const SignIn = lazy(() => import('./auth/SignIn').then((m) => ({ default: m.SignIn })));
// The Runs page and its charts load only when it is opened, and so do the deleted tasks and alerts.
const RunsPage = lazy(() => import('./pages/system/scheduled-tasks/runs'));
const DeletedTasksPage = lazy(() => import('./pages/system/scheduled-tasks/deleted'));
const AlertsPage = lazy(() => import('./pages/system/alerts'));

function Shell() {
  const { session } = useAuth();
  const { view, navigate } = useView();
  if (!session)
    return (
      <Suspense fallback={null}>
        <SignIn />
      </Suspense>
    );
  // Remount the page per session, so nothing of a previous tenant's view survives.
  const key = `${session.tenantId}:${session.subject}:${session.role}`;
  return (
    <AppLayout view={view} navigate={navigate}>
      {view === 'tasks' ? (
        <ScheduledTasksPage key={key} navigate={navigate} />
      ) : (
        <Suspense fallback={<Spin style={{ display: 'block', margin: 48 }} />}>
          {view === 'runs' ? (
            <RunsPage key={key} navigate={navigate} />
          ) : view === 'alerts' ? (
            <AlertsPage key={key} navigate={navigate} />
          ) : (
            <DeletedTasksPage key={key} navigate={navigate} />
          )}
        </Suspense>
      )}
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
