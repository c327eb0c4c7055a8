import { z } from 'zod';

/**
 * A plugin's state: `disabled` (not enabled), `starting` (loading and activating), `running`,
 * `restarting` (crashed, hung or out of memory; waiting for its backoff), `failed` (gave up
 * after repeated failures, or cannot load: see `last_error`), `stopped` (the hub is stopping).
 */
export const PLUGIN_STATES = [
  'disabled',
  'starting',
  'running',
  'restarting',
  'failed',
  'stopped',
] as const;
export type PluginState = (typeof PLUGIN_STATES)[number];

export const PluginStatus = z.object({
  name: z.string(),
  version: z.string().nullable().describe('Null when the manifest could not be read'),
  description: z.string(),
  folder: z.string().nullable().describe('The plugin folder; null for a built-in plugin'),
  origin: z.enum(['builtin', 'project', 'user', 'config']),
  builtin: z.boolean(),
  enabled: z.boolean(),
  state: z.enum(PLUGIN_STATES),
  last_error: z.string().nullable().describe('The last error, naming the call that failed'),
  last_error_at: z.string().nullable(),
  restarts: z.number().int().describe('Restarts since the hub started'),
  events_delivered: z.number().int().describe('Events handed to onEvent since the hub started'),
  errors: z
    .number()
    .int()
    .describe('Errors since the hub started: throws, failed starts, crashes, timeouts'),
  queue_depth: z.number().int().describe('Events waiting in memory'),
  catching_up: z.boolean().describe('True while events are read back from the store'),
  cursor: z.number().int().nullable().describe('Commit sequence of the last event delivered'),
  subscribes: z.array(z.string()),
  pid: z.number().int().nullable().describe('The plugin process; null for a built-in'),
  http: z
    .object({
      mount_path: z.string().nullable().describe('/plugins/{name} when mounted on the hub'),
      port: z.number().int().nullable().describe('Its own port, picked from port_range'),
    })
    .nullable(),
});
export type PluginStatus = z.infer<typeof PluginStatus>;

export const PluginsBody = z.object({
  plugins: z.array(PluginStatus),
  problems: z.array(z.string()).describe('Plugins shadowed by another of the same name'),
});
export type PluginsBody = z.infer<typeof PluginsBody>;
