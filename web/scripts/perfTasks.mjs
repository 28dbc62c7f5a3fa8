// The tenant the performance scripts measure: 1,000 tasks imported in one `POST /import`.

import { api } from '../e2e/harness.mjs';

const TASKS = 1000;

/** 1,000 tasks as a back office has them: mostly HTTP calls, some scripts, every trigger kind. */
export function tasks() {
  const areas = ['billing', 'reports', 'crm', 'inventory', 'mail', 'ledger', 'search', 'backup'];
  return Array.from({ length: TASKS }, (_, i) => {
    const area = areas[i % areas.length];
    const common = {
      name: `${area[0].toUpperCase()}${area.slice(1)} job ${i + 1}`,
      code: `${area}-${String(i + 1).padStart(4, '0')}`,
      description: `Keeps the ${area} data in step with the upstream system (batch ${i % 37})`,
      is_active: i % 10 !== 0,
    };
    const trigger =
      i % 3 === 0
        ? { trigger_type: 'cron', trigger_config: { cron: `${i % 60} ${i % 24} * * *`, timezone: 'Europe/Berlin' } }
        : i % 3 === 1
          ? { trigger_type: 'interval', trigger_config: { seconds: 300 + (i % 12) * 300 } }
          : { trigger_type: 'date', trigger_config: { at: `2031-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:30:00Z` } };
    const work =
      i % 5 === 0
        ? { type: 'python_script', task_config: { script: `print("${area} ${i}")\n` } }
        : {
            type: 'api_call',
            task_config: { url: `https://${area}.example.com/hooks/${i}`, method: 'POST', headers: { Authorization: `Bearer token-${i}-abcdefgh` } },
          };
    return { ...common, ...trigger, ...work };
  });
}

/** Imports the 1,000 tasks into tenant 1 of the server at `base`; returns a token for it. */
export async function importTasks(sundial) {
  const token = sundial.token({ tenant: 1, sub: 'perf' });
  const imported = await api(sundial.base, token, 'POST', '/import', { tasks: tasks() });
  if (imported.status !== 201) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body).slice(0, 500)}`);
  console.log(`imported ${imported.body.created} tasks`);
  return token;
}
