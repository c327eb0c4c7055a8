// @ts-check
// A Vigil plugin: counts committed events by kind, keeps the counts across restarts in its
// data folder, and serves them on the hub at /plugins/event-counter/counts.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { definePlugin } from 'vigil/plugin';

/** @typedef {import('vigil/plugin').PluginContext} PluginContext */

/** @type {Record<string, number>} Events seen, by kind. */
let counts = {};
/** The commit sequence of the last event counted. */
let lastSeq = 0;
/** @type {NodeJS.Timeout | undefined} */
let timer;

/** @param {PluginContext} ctx */
const stateFile = (ctx) => join(ctx.dataDir, 'counts.json');

/** Saves the counts atomically (a temporary file renamed over the old one). @param {PluginContext} ctx */
function save(ctx) {
  const file = stateFile(ctx);
  writeFileSync(`${file}.tmp`, JSON.stringify({ counts, last_seq: lastSeq }));
  renameSync(`${file}.tmp`, file);
}

export default definePlugin({
  activate(ctx) {
    try {
      const saved = JSON.parse(readFileSync(stateFile(ctx), 'utf8'));
      counts = saved.counts;
      lastSeq = saved.last_seq;
    } catch {
      // First run: nothing saved yet.
    }
    const every = Number(ctx.config.save_every_seconds ?? 10);
    timer = setInterval(() => save(ctx), every * 1000);
    timer.unref();
    ctx.log.info(`counting events after seq ${lastSeq}`);
  },

  // Each committed event, once, in commit order. After a hard crash of the hub the last
  // moment's events may come again: their seq tells which were counted already.
  onEvent(event) {
    if (event.seq <= lastSeq) return;
    counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    lastSeq = event.seq;
  },

  // GET /plugins/event-counter/counts and /plugins/event-counter/summary on the hub.
  async onRequest(request, ctx) {
    if (request.method === 'GET' && request.path === '/counts') {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return { body: { counts, total, last_seq: lastSeq } };
    }
    if (request.method === 'GET' && request.path === '/summary') {
      return { body: await ctx.queryTelemetry({ days: 7 }) };
    }
    return { status: 404, body: { error: `no route ${request.method} ${request.path}` } };
  },

  deactivate(ctx) {
    clearInterval(timer);
    save(ctx);
  },
});
