import type { Command } from 'commander';

import {
  EVENT_KINDS,
  EVENT_STATUSES,
  type EventKind,
  type EventStatus,
} from '../../core/vocabulary.js';
import { VigilError } from '../../core/errors.js';
import type { EventFilter } from '../../store/types.js';
import type { CliContext } from '../context.js';

export interface FilterOptions {
  since?: string;
  until?: string;
  model?: string;
  type?: string[];
  kind?: string[];
  session?: string;
  task?: string;
  phase?: string;
  role?: string;
  status?: string;
  adapter?: string;
  text?: string;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').filter(Boolean),
];

/** The event filters shared by `events` and `export` (VibeForge's EventLog queries). */
export function addFilterOptions(
  cmd: Command,
  defaults: { since?: string; until?: string } = {},
): Command {
  return cmd
    .option(
      '--since <date>',
      'from: YYYY-MM-DD, ISO-8601 time or a duration back (7d)',
      defaults.since,
    )
    .option('--until <date>', 'to, exclusive (a date includes that whole day)', defaults.until)
    .option(
      '--type <type>',
      'event type as the source wrote it (repeat or comma-separate)',
      collect,
    )
    .option('--kind <kind>', `normalised kind: ${EVENT_KINDS.join(', ')}`, collect)
    .option('--session <id>', 'session id')
    .option('--task <id>', 'task id')
    .option('--phase <phase>', 'phase')
    .option('--role <role>', 'agent role')
    .option('--model <name>', "model (events without one match their task's model)")
    .option('--status <status>', `status: ${EVENT_STATUSES.join(', ')}`)
    .option('--adapter <name>', 'source adapter (see `vigil formats`)')
    .option(
      '--text <text>',
      'free text: a case-insensitive substring of the message, attrs, type, task, session, model, phase or role',
    );
}

export const FILTER_HELP = `
Filters combine with AND: --type, --kind, --session, --task, --phase, --role, --model, --status,
--adapter, --text (free text), --since (inclusive) and --until (exclusive).
`;

export function filterFromOptions(_ctx: CliContext, opts: FilterOptions): EventFilter {
  for (const k of opts.kind ?? []) {
    if (!(EVENT_KINDS as readonly string[]).includes(k)) {
      throw new VigilError(
        'VIGIL_ERR_USAGE',
        `--kind ${k}: expected one of ${EVENT_KINDS.join(', ')}`,
      );
    }
  }
  if (opts.status !== undefined && !(EVENT_STATUSES as readonly string[]).includes(opts.status)) {
    throw new VigilError(
      'VIGIL_ERR_USAGE',
      `--status ${opts.status}: expected one of ${EVENT_STATUSES.join(', ')}`,
    );
  }
  const f: EventFilter = {};
  if (opts.type?.length) f.types = opts.type;
  if (opts.kind?.length) f.kinds = opts.kind as EventKind[];
  if (opts.session !== undefined) f.sessionId = opts.session;
  if (opts.task !== undefined) f.taskId = opts.task;
  if (opts.phase !== undefined) f.phase = opts.phase;
  if (opts.role !== undefined) f.agentRole = opts.role;
  if (opts.model !== undefined) f.model = opts.model;
  if (opts.status !== undefined) f.status = opts.status as EventStatus;
  if (opts.adapter !== undefined) f.adapter = opts.adapter;
  if (opts.text !== undefined && opts.text !== '') f.text = opts.text;
  return f;
}
