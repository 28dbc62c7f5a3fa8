// First: the list's first request leaves before the rest of the console is evaluated.
import { firstPageSettled } from './pages/system/scheduled-tasks/list/firstPage';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import './styles.css';

/**
 * How long the first render waits for the list's first page. Drawn with its rows, the page
 * skips a second pass through the table's request cycle; a slow server holds it no longer.
 */
const FIRST_PAGE_WAIT_MS = 300;

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const waited = new Promise<void>((resolve) => window.setTimeout(resolve, FIRST_PAGE_WAIT_MS));
void Promise.race([firstPageSettled, waited]).then(() =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
