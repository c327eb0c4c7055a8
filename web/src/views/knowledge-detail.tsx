import { Fragment } from 'preact';

import { formatTime } from '../lib/format';
import { Panel } from '../lib/view';
import type { KnowledgeReviewer } from '../types/knowledge';

/** One reviewer's knowledge: entries per section, staleness, drift and updates. */
export function KnowledgeDetail({
  reviewer,
  onClose,
}: {
  reviewer: KnowledgeReviewer;
  onClose(): void;
}) {
  return (
    <Panel title={`Knowledge of ${reviewer.reviewer}`} testId="knowledge-detail" onClose={onClose}>
      <h3>Sections</h3>
      <dl class="kv">
        {Object.entries(reviewer.sections).map(([s, n]) => (
          <Fragment key={s}>
            <dt>{s}</dt>
            <dd>{n}</dd>
          </Fragment>
        ))}
      </dl>
      <h3>Staleness</h3>
      <p>
        Newest entry {reviewer.staleness.newest_entry_date ?? '—'}, oldest{' '}
        {reviewer.staleness.oldest_entry_date ?? '—'}; {reviewer.staleness.stale_entries} stale,{' '}
        {reviewer.staleness.undated_entries} undated.
      </p>
      <h3>Drift</h3>
      {reviewer.drift ? (
        <p>
          {reviewer.drift.recommendation ?? 'drift'} (score {reviewer.drift.score}) detected{' '}
          {formatTime(reviewer.drift.detected_at)}; signals:{' '}
          {reviewer.drift.signals.join(', ') || '—'}; {reviewer.drift.events} drift events.
        </p>
      ) : (
        <p class="muted">No drift reported.</p>
      )}
      <h3>Updates</h3>
      <p>
        {reviewer.updates.events} updates adding {reviewer.updates.entries_added} entries; last{' '}
        {formatTime(reviewer.updates.last_at)}.
      </p>
    </Panel>
  );
}
