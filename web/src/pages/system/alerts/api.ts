// The alerts API (docs/alerts.md): notification channels, rules, deliveries, and a task's
// dead-man deadlines and their misses. Shapes come from the generated OpenAPI types.
import type { components } from '../../../services/api.gen';
import { request } from '../../../services/http';
import { TASKS_API } from '../../../services/tasks';

type Schemas = components['schemas'];

export type Channel = Schemas['ChannelResponse'];
export type ChannelRequest = Schemas['ChannelRequest'];
export type Rule = Schemas['RuleResponse'];
export type RuleRequest = Schemas['RuleRequest'];
export type Delivery = Schemas['DeliveryResponse'];

/** A deadline as set: "succeed at least every N seconds", or "by HH:MM in a zone on cron days". */
export type DeadlineSpec =
  | { every_seconds: number }
  | { by: string; timezone?: string; days?: string };

/** A deadline as the server answers it: its spec, flattened, and where it stands. */
export type Deadline = Schemas['DeadlineResponse'] & Partial<{ every_seconds: number; by: string; timezone: string; days: string }>;
export type DeadlineMiss = Omit<Schemas['DeadlineMissResponse'], 'deadline'> & { deadline: DeadlineSpec };

const TENANT_API = '/api/tree-root/tenant/notify';
const enc = encodeURIComponent;

export const alertsApi = {
  channels: () => request<Channel[]>(`${TENANT_API}/channels`),
  /** Creates a channel; a webhook's answer carries its signing key this once. */
  createChannel: (channel: ChannelRequest) => request<Channel>(`${TENANT_API}/channels`, { method: 'POST', body: channel }),
  /** A new signing key; the old one keeps signing for `grace_seconds`. */
  rotateSecret: (uuid: string, graceSeconds?: number) =>
    request<Channel>(`${TENANT_API}/channels/${enc(uuid)}/rotate-secret`, {
      method: 'POST',
      body: graceSeconds === undefined ? {} : { grace_seconds: graceSeconds },
    }),
  /** Deletes the channel and the rules routing to it. */
  deleteChannel: (uuid: string) => request<void>(`${TENANT_API}/channels/${enc(uuid)}`, { method: 'DELETE' }),
  tenantRules: () => request<Rule[]>(`${TENANT_API}/rules`),
  createTenantRule: (rule: RuleRequest) => request<Rule>(`${TENANT_API}/rules`, { method: 'POST', body: rule }),
  /** Deletes a tenant default or a task's rule. */
  deleteRule: (uuid: string) => request<void>(`${TENANT_API}/rules/${enc(uuid)}`, { method: 'DELETE' }),
  taskRules: (task: string) => request<Rule[]>(`${TASKS_API}/${enc(task)}/notify-rules`),
  createTaskRule: (task: string, rule: RuleRequest) =>
    request<Rule>(`${TASKS_API}/${enc(task)}/notify-rules`, { method: 'POST', body: rule }),
  /** The newest deliveries, of one task or one run when given. */
  deliveries: (query: { task_uuid?: string; run_uuid?: string; limit?: number }) =>
    request<Delivery[]>(`${TENANT_API}/deliveries`, { query }),
  deadlines: (task: string) => request<{ deadlines: Deadline[] }>(`${TASKS_API}/${enc(task)}/deadlines`),
  /** Replaces the task's deadlines (`[]` clears them). */
  setDeadlines: (task: string, deadlines: DeadlineSpec[]) =>
    request<{ deadlines: Deadline[] }>(`${TASKS_API}/${enc(task)}/deadlines`, { method: 'PUT', body: { deadlines } }),
  misses: (task: string, limit = 20) =>
    request<{ items: DeadlineMiss[] }>(`${TASKS_API}/deadline-misses`, { query: { task_uuid: task, limit } }),
};
