import { App } from 'antd';
import { useCallback, useMemo } from 'react';
import { useT } from '../../../../locales/context';
import { tasksApi } from '../../../../services/tasks';
import type { Run, Task } from '../../../../services/types';
import { errorMessage, isMissingRoute } from './apiErrors';
import type { BulkResult } from './BulkActions';

interface Options {
  /** Reloads the list after a change. */
  reload: () => void;
  /** Called when the server turns out not to have `POST /{uuid}/run`. */
  onRunUnsupported: () => void;
  /** Called with the queued run, e.g. to open the task's run history. */
  onRunQueued?: (task: Task, run: Run) => void;
}

/** Start/stop (one or several), run now and delete, with their toasts. Each resolves to whether it worked. */
export function useTaskActions({ reload, onRunUnsupported, onRunQueued }: Options) {
  const t = useT();
  const { message } = App.useApp();

  const setActive = useCallback(
    async (task: Task, active: boolean, cancelRunning = false) => {
      try {
        await (active ? tasksApi.start(task.uuid) : tasksApi.stop(task.uuid, cancelRunning));
        const done = active ? 'tasks.started' : cancelRunning ? 'tasks.stoppedCancelled' : 'tasks.stopped';
        message.success(t(done, { name: task.name }));
        reload();
        return true;
      } catch (error) {
        message.error(errorMessage(error, t));
        return false;
      }
    },
    [message, reload, t],
  );

  // One call per task, one after another: the tenant's rate limit applies to each, and a
  // failure of one does not stop the others.
  const setActiveMany = useCallback(
    async (tasks: Task[], active: boolean, cancelRunning = false): Promise<BulkResult> => {
      const result: BulkResult = { active, cancelRunning, done: 0, failed: [] };
      for (const task of tasks) {
        try {
          await (active ? tasksApi.start(task.uuid) : tasksApi.stop(task.uuid, cancelRunning));
          result.done += 1;
        } catch (error) {
          result.failed.push({ task, error });
        }
      }
      reload();
      return result;
    },
    [reload],
  );

  const runNow = useCallback(
    async (task: Task, args?: Record<string, unknown>) => {
      try {
        const run = await tasksApi.runNow(task.uuid, args);
        message.success(t('tasks.runQueued', { name: task.name }));
        onRunQueued?.(task, run);
        reload();
        return true;
      } catch (error) {
        if (isMissingRoute(error)) {
          // A 404 could also mean the task is gone: only a task that still exists proves the
          // route is what is missing.
          const exists = await tasksApi.get(task.uuid).then(
            () => true,
            () => false,
          );
          if (exists) {
            onRunUnsupported();
            message.warning(t('tasks.runUnsupported'));
            return false;
          }
        }
        message.error(errorMessage(error, t));
        reload();
        return false;
      }
    },
    [message, onRunQueued, onRunUnsupported, reload, t],
  );

  const remove = useCallback(
    async (task: Task) => {
      try {
        await tasksApi.remove(task.uuid);
        message.success(t('tasks.deleted', { name: task.name }));
        reload();
        return true;
      } catch (error) {
        message.error(errorMessage(error, t));
        return false;
      }
    },
    [message, reload, t],
  );

  const removeMany = useCallback(
    async (uuids: string[]) => {
      try {
        const { deleted } = await tasksApi.batchDelete(uuids);
        message.success(t('tasks.batch.deleted', { count: deleted }));
        reload();
        return true;
      } catch (error) {
        message.error(errorMessage(error, t));
        return false;
      }
    },
    [message, reload, t],
  );

  return useMemo(
    () => ({ setActive, setActiveMany, runNow, remove, removeMany }),
    [setActive, setActiveMany, runNow, remove, removeMany],
  );
}
