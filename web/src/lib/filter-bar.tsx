import { useEffect, useRef, useState } from 'preact/hooks';

import { getJson } from './api';
import { useRoute, type FilterKey } from './route-context';
import { parseTimeInput } from './time-range';

/** The filter groups a view can offer. */
export type FilterGroup = 'time' | 'model' | 'session' | 'role';

const PRESETS: { label: string; since: string }[] = [
  { label: '24h', since: '24h' },
  { label: '7d', since: '7d' },
  { label: '30d', since: '30d' },
  { label: '90d', since: '90d' },
];

const COMMIT_DELAY_MS = 400;

function validTime(key: FilterKey, value: string): boolean {
  if (key !== 'since' && key !== 'until') return true;
  return value.trim() === '' || parseTimeInput(value, key, Date.now()) !== null;
}

interface FieldProps {
  name: FilterKey;
  label: string;
  placeholder: string;
  suggest?: () => Promise<string[]>;
}

/**
 * One filter input: commits to the URL on Enter, on change, or once typing pauses with a
 * valid value; an invalid time is marked and not sent.
 */
function FilterField({ name, label, placeholder, suggest }: FieldProps) {
  const { params, setParams } = useRoute();
  const current = params[name] ?? '';
  const [text, setText] = useState(current);
  const [options, setOptions] = useState<string[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(false);
  useEffect(() => setText(current), [current]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const valid = validTime(name, text);
  const commit = (value: string) => {
    clearTimeout(timer.current);
    const v = value.trim();
    if (!validTime(name, v) || v === current) return;
    setParams({ [name]: v === '' ? undefined : v });
  };
  const listId = `filter-${name}-options`;
  return (
    <label class="filter-field">
      <span>{label}</span>
      <input
        type="text"
        data-filter={name}
        name={name}
        value={text}
        placeholder={placeholder}
        autocomplete="off"
        spellcheck={false}
        list={suggest ? listId : undefined}
        aria-invalid={valid ? undefined : 'true'}
        title={
          valid ? undefined : 'Use YYYY-MM-DD, an ISO-8601 time or a duration such as 7d or 12h'
        }
        onInput={(e) => {
          const v = e.currentTarget.value;
          setText(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => commit(v), COMMIT_DELAY_MS);
        }}
        onChange={(e) => commit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(e.currentTarget.value);
        }}
        onFocus={() => {
          if (!suggest || asked.current) return;
          asked.current = true;
          suggest().then(setOptions, () => undefined);
        }}
      />
      {suggest && (
        <datalist id={listId}>
          {options.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      )}
    </label>
  );
}

const suggestModels = async () => {
  const res = await getJson<{ models: { model: string }[] }>('/api/stats');
  return res.models.map((m) => m.model);
};
const suggestSessions = async () => {
  const res = await getJson<{ sessions: { session_id: string }[] }>('/api/sessions', { limit: 50 });
  return res.sessions.map((s) => s.session_id);
};

/** The filter bar of a view: time range (with presets), model, session, agent role. */
export function FilterBar({ groups }: { groups: readonly FilterGroup[] }) {
  const { params, setParams } = useRoute();
  const any = ['since', 'until', 'model', 'session', 'role'].some((k) => params[k] !== undefined);
  return (
    <form
      class="filter-bar"
      role="search"
      aria-label="Filters"
      onSubmit={(e) => e.preventDefault()}
    >
      {groups.includes('time') && (
        <>
          <div class="filter-presets" role="group" aria-label="Time range presets">
            {PRESETS.map((p) => (
              <button
                type="button"
                key={p.label}
                class="chip"
                data-preset={p.since}
                aria-pressed={params['since'] === p.since && params['until'] === undefined}
                onClick={() => setParams({ since: p.since, until: undefined })}
              >
                {p.label}
              </button>
            ))}
          </div>
          <FilterField name="since" label="Since" placeholder="2026-02-10 or 7d" />
          <FilterField name="until" label="Until" placeholder="2026-02-16 or now" />
        </>
      )}
      {groups.includes('model') && (
        <FilterField name="model" label="Model" placeholder="any model" suggest={suggestModels} />
      )}
      {groups.includes('session') && (
        <FilterField
          name="session"
          label="Session"
          placeholder="any session"
          suggest={suggestSessions}
        />
      )}
      {groups.includes('role') && (
        <FilterField name="role" label="Agent role" placeholder="any role" />
      )}
      {any && (
        <button
          type="button"
          class="link-button"
          data-testid="filters-clear"
          onClick={() =>
            setParams({
              since: undefined,
              until: undefined,
              model: undefined,
              session: undefined,
              role: undefined,
            })
          }
        >
          Clear filters
        </button>
      )}
    </form>
  );
}
