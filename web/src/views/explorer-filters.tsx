import { useEffect, useRef, useState } from 'preact/hooks';

import { getJson } from '../lib/api';

/** The explorer's own filters (URL parameters); time, model, session and role are the shell's. */
export const LOCAL_FILTERS = ['q', 'type', 'kind', 'status', 'phase', 'task', 'adapter'] as const;
export type LocalFilter = (typeof LOCAL_FILTERS)[number];

const COMMIT_DELAY_MS = 400;

interface TextFilterProps {
  name: LocalFilter;
  label: string;
  value: string;
  placeholder: string;
  onCommit(value: string | undefined): void;
  /** Suggestions, asked for on first focus. */
  suggest?: () => Promise<string[]>;
  type?: 'text' | 'search';
  testId?: string;
}

/** A text filter: commits on Enter, on change, or once typing pauses. */
export function TextFilter(props: TextFilterProps) {
  const { name, value, onCommit, suggest } = props;
  const [text, setText] = useState(value);
  const [options, setOptions] = useState<string[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(false);
  useEffect(() => setText(value), [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const commit = (next: string) => {
    clearTimeout(timer.current);
    const v = next.trim();
    if (v === value) return;
    onCommit(v === '' ? undefined : v);
  };
  const listId = `explorer-${name}-options`;
  return (
    <label class="filter-field">
      <span>{props.label}</span>
      <input
        type={props.type ?? 'text'}
        name={name}
        data-filter={name}
        data-testid={props.testId}
        value={text}
        placeholder={props.placeholder}
        autocomplete="off"
        spellcheck={false}
        maxLength={256}
        list={suggest ? listId : undefined}
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

interface SelectFilterProps {
  name: LocalFilter | 'order' | 'limit';
  label: string;
  value: string;
  options: readonly (string | { value: string; label: string })[];
  /** The label of the empty choice; without it there is none. */
  any?: string;
  onChange(value: string | undefined): void;
  testId?: string;
}

/** A select filter; the empty choice removes the parameter. */
export function SelectFilter(props: SelectFilterProps) {
  return (
    <label class="filter-field">
      <span>{props.label}</span>
      <select
        class="select"
        name={props.name}
        data-filter={props.name}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
      >
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map((o) => {
          const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </label>
  );
}

/** The event types stored, most frequent first, for the type filter's suggestions. */
export async function suggestTypes(): Promise<string[]> {
  const res = await getJson<{ types: { type: string }[] }>('/api/events/types');
  return res.types.map((t) => t.type);
}
