/**
 * The plugin process: `child_process.fork`ed by the hub (child-runtime.ts) for one third-party
 * plugin. It loads the plugin's module, calls its hooks when the hub says so and answers over
 * IPC; context queries go back to the hub, which owns the store (this process never opens it).
 * It exits when the hub disconnects, so a hub killed with -9 leaves no plugin behind.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { asDefinition, buildContext, type QueryFn } from './context.js';
import {
  describeError,
  toWireResponse,
  type ActivateParams,
  type ChildMessage,
  type HostMessage,
} from './protocol.js';
import type { PluginContext, PluginDefinition, PluginEvent, PluginRequest } from './sdk.js';

register('./resolve-hooks.js', import.meta.url, {
  data: { sdk: new URL('./sdk.js', import.meta.url).href },
});

// A plugin stuck in an endless loop never sees the hub disconnect: a thread of its own ends the
// process once the hub is gone (its parent changes), even if the hub was killed with -9.
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
  { eval: true, workerData: process.ppid, resourceLimits: { maxOldGenerationSizeMb: 8 } },
).unref();

function send(message: ChildMessage, then?: () => void): void {
  if (process.connected) process.send?.(message, undefined, {}, () => then?.());
  else then?.();
}

let definition: PluginDefinition | null = null;
let ctx: PluginContext | null = null;
const replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

const query: QueryFn = (method, args) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    replies.set(id, { resolve, reject });
    send({ t: 'query', id, method, args });
  });

async function activate(params: ActivateParams): Promise<void> {
  try {
    const where = `${params.file}${params.exportName === 'default' ? '' : `:${params.exportName}`}`;
    const mod = (await import(pathToFileURL(params.file).href)) as Record<string, unknown>;
    if (!(params.exportName in mod)) {
      throw new Error(
        params.exportName === 'default'
          ? `${params.file} has no default export: export default definePlugin({ ... })`
          : `${params.file} has no export named ${params.exportName}`,
      );
    }
    definition = await asDefinition(mod[params.exportName], where);
    ctx = buildContext(params, query, (level, message, fields) =>
      send({ t: 'log', level, message: String(message), ...(fields ? { fields } : {}) }),
    );
    await definition.activate?.(ctx);
    send({ t: 'activated' });
  } catch (error) {
    send({ t: 'activate-failed', error: describeError(error) });
  }
}

// Events are handled one at a time, in the order the hub sent them.
const queue: PluginEvent[] = [];
let pumping = false;
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  while (queue.length > 0) {
    const event = queue.shift() as PluginEvent;
    let error: string | null = null;
    try {
      await definition?.onEvent?.(event, ctx as PluginContext);
    } catch (e) {
      error = describeError(e);
    }
    send({ t: 'done', seq: event.seq, error });
  }
  pumping = false;
}

async function answer(id: number, request: PluginRequest): Promise<void> {
  try {
    if (definition?.onRequest === undefined) throw new Error('this plugin has no onRequest');
    const response = toWireResponse(await definition.onRequest(request, ctx as PluginContext));
    send({ t: 'response', id, ok: true, response });
  } catch (error) {
    send({ t: 'response', id, ok: false, error: describeError(error) });
  }
}

async function deactivate(): Promise<void> {
  let error: string | null = null;
  try {
    if (ctx !== null) await definition?.deactivate?.(ctx);
  } catch (e) {
    error = describeError(e);
  }
  send({ t: 'deactivated', error }, () => process.exit(0));
}

process.on('message', (message: HostMessage) => {
  switch (message.t) {
    case 'activate':
      void activate(message.params);
      return;
    case 'events':
      queue.push(...message.events);
      void pump();
      return;
    case 'request':
      void answer(message.id, message.request);
      return;
    case 'reply': {
      const waiting = replies.get(message.id);
      replies.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(message.error));
      return;
    }
    case 'deactivate':
      void deactivate();
      return;
    default:
      return message satisfies never;
  }
});

process.on('disconnect', () => process.exit(0));
const crash = (error: unknown) =>
  send({ t: 'crash', error: describeError(error) }, () => process.exit(1));
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
send({ t: 'hello' });
