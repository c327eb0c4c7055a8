/** What `vigil plugin list` and `vigil plugin info` show: local facts plus a running hub's view. */
import type { Config } from '../../config/config.js';
import type { DiscoveredPlugin, PluginSettings } from '../../plugins/discovery.js';
import type { PluginsBody, PluginStatus } from '../../plugins/status.js';
import { hostnameOf } from '../../server/security.js';
import { VERSION } from '../../version.js';

/**
 * `/api/plugins` of the hub the configuration points at (host, port, token), or null when no
 * hub answers there.
 */
export async function fetchHubPlugins(config: Config): Promise<PluginsBody | null> {
  const bind = hostnameOf(config.server.host);
  const host =
    bind === '0.0.0.0' || bind === ''
      ? '127.0.0.1'
      : bind === '::'
        ? '[::1]'
        : bind.includes(':')
          ? `[${bind}]`
          : bind;
  if (config.server.port === 0) return null;
  try {
    const res = await fetch(`http://${host}:${config.server.port}/api/plugins`, {
      headers:
        config.server.apiToken === null
          ? {}
          : { authorization: `Bearer ${config.server.apiToken}` },
      signal: AbortSignal.timeout(1_500),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<PluginsBody>;
    return Array.isArray(body.plugins) ? (body as PluginsBody) : null;
  } catch {
    return null;
  }
}

export function enabledText(s: PluginSettings, name: string, config: Config): string {
  switch (s.enabledBy) {
    case 'config':
      return `${s.enabled ? 'yes' : 'no'} ([plugins.${name}] enabled = ${s.enabled} in ${config.file})`;
    case 'cli':
      return `${s.enabled ? 'yes' : 'no'} (vigil plugin ${s.enabled ? 'enable' : 'disable'}, ${s.enabledAt})`;
    case 'default':
      return `no (plugins are off until enabled: vigil plugin enable ${name})`;
    default:
      return s.enabledBy satisfies never;
  }
}

/** The lines of `vigil plugin info`. */
export function infoLines(
  plugin: DiscoveredPlugin,
  settings: PluginSettings,
  config: Config,
  cursor: number | null,
  live: PluginStatus | null | undefined,
  dataDir: string,
): string[] {
  const m = plugin.manifest;
  const row = (k: string, v: string) => `${k.padEnd(12)} ${v}`;
  const lines = [row('name', plugin.name)];
  if (m === null) {
    lines.push(row('folder', `${plugin.dir ?? '(built-in)'} (${plugin.origin})`));
    lines.push(row('error', plugin.error ?? 'unknown'));
    return lines;
  }
  lines.push(
    row('version', m.version),
    row('description', m.description || '(none)'),
    row(
      'folder',
      plugin.dir === null
        ? '(built-in: runs inside the hub)'
        : `${plugin.dir} (${plugin.origin} folder)`,
    ),
  );
  if (m.entry !== null) {
    lines.push(
      row(
        'entry point',
        `${m.entry.file} (${m.entry.exportName === 'default' ? 'default export' : `export ${m.entry.exportName}`})`,
      ),
    );
  }
  lines.push(
    row(
      'requires',
      m.requires.length ? `${m.requires.join(', ')} (met: this is vigil ${VERSION})` : '(nothing)',
    ),
    row('enabled', enabledText(settings, plugin.name, config)),
    row('subscribes', m.subscribes.length ? m.subscribes.join(', ') : '(no events)'),
    row(
      'http',
      m.http === null
        ? 'off'
        : m.http.mode === 'mounted'
          ? `mounted on the hub at ${m.http.mountPath}/`
          : `its own port, the first free of ${m.http.portRange.join('-')} on 127.0.0.1${live?.http?.port ? ` (now ${live.http.port})` : ''}`,
    ),
    row(
      'limits',
      `timeout ${settings.limits.timeoutMs} ms per call, ${plugin.origin === 'builtin' ? 'in the hub' : `memory ${settings.limits.memoryMb} MiB heap`}, queue ${settings.limits.queueSize} events`,
    ),
    row('config', JSON.stringify(settings.config)),
    row('data', dataDir),
    row('cursor', cursor === null ? '(never ran)' : `seq ${cursor}`),
  );
  if (live === undefined) lines.push(row('state', 'unknown (hub not running)'));
  else if (live === null) lines.push(row('state', 'not known to the running hub yet'));
  else {
    lines.push(
      row('state', `${live.state}${live.pid ? ` (pid ${live.pid})` : ''}`),
      row(
        'figures',
        `${live.events_delivered} events, ${live.errors} errors, ${live.restarts} restarts, queue ${live.queue_depth}`,
      ),
    );
    if (live.last_error)
      lines.push(row('last error', `${live.last_error} (${live.last_error_at})`));
  }
  return lines;
}
