import { Fragment } from 'preact';

import { useApi } from '../lib/api';
import { formatDurationMs, formatNumber, formatTime } from '../lib/format';
import { DataTable, Panel, type Column } from '../lib/view';
import type { Finding, ReviewDetail } from '../types/reviews';

type ReviewerSummary = ReviewDetail['reviewer_summaries'][number];

const REVIEWER_COLUMNS: Column<ReviewerSummary>[] = [
  { key: 'reviewer_id', label: 'Reviewer' },
  { key: 'score', label: 'Score', numeric: true, render: (r) => formatNumber(r.score) },
  {
    key: 'findings_count',
    label: 'Findings',
    numeric: true,
    render: (r) => formatNumber(r.findings_count),
  },
  {
    key: 'relevant',
    label: 'Relevant',
    render: (r) => (r.relevant === null ? '—' : r.relevant ? 'yes' : 'no'),
  },
];

/** Columns of a findings list (also used by the heatmap's detail). */
export const FINDING_COLUMNS: Column<Finding>[] = [
  {
    key: 'severity',
    label: 'Severity',
    numeric: true,
    render: (f) => (
      <span
        class={`badge ${f.severity_tier === 'critical' ? 'bad' : f.severity_tier === 'important' ? 'warn' : ''}`}
      >
        {formatNumber(f.severity)} {f.severity_tier ?? ''}
      </span>
    ),
    sortValue: (f) => f.severity ?? -1,
  },
  {
    key: 'file',
    label: 'Location',
    render: (f) => (
      <span class="mono">
        {f.file ?? '—'}
        {f.line_start !== null
          ? `:${f.line_start}${f.line_end !== null && f.line_end !== f.line_start ? `-${f.line_end}` : ''}`
          : ''}
      </span>
    ),
  },
  { key: 'category', label: 'Category' },
  { key: 'reviewers', label: 'Reviewers', render: (f) => f.reviewers.join(', ') },
  { key: 'description', label: 'Description', render: (f) => f.description ?? '—' },
];

/** The detail panel of one review (`[data-testid=review-detail]`): consensus, reviewers, findings. */
export function ReviewDetailPanel({ id, onClose }: { id: string; onClose(): void }) {
  const { data, error } = useApi<ReviewDetail>(
    `/api/reviews/${encodeURIComponent(id)}`,
    undefined,
    { live: false },
  );
  const facts: [string, string][] = data
    ? [
        ['Task', data.task_id ?? '—'],
        ['Completed', formatTime(data.completed_at)],
        ['Consensus score', `${formatNumber(data.cs)} / 10`],
        ['Tier', data.tier ?? '—'],
        ['Result', data.passed === null ? '—' : data.passed ? 'passed' : 'blocked'],
        ['Minority protection', data.mpr_applied ? 'triggered' : 'not triggered'],
        [
          'Duration',
          formatDurationMs(data.duration_seconds === null ? null : data.duration_seconds * 1000),
        ],
        ['Reviewers', data.reviewers.join(', ') || '—'],
        ['Session', data.session_id ?? '—'],
        ['Source', data.source_adapter],
        ...Object.entries(data.consensus_extra).map(([k, v]): [string, string] => [
          k,
          typeof v === 'object' ? JSON.stringify(v) : String(v),
        ]),
      ]
    : [];
  return (
    <Panel
      title={data ? `Review of ${data.task_id ?? data.id}` : 'Review'}
      testId="review-detail"
      onClose={onClose}
    >
      {error && (
        <p role="alert" class="view-error">
          {error.message}
        </p>
      )}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && (
        <>
          {data.summary && <p>{data.summary}</p>}
          <dl class="kv">
            {facts.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </Fragment>
            ))}
          </dl>
          {data.reviewer_summaries.length > 0 && (
            <>
              <h3>Reviewers</h3>
              <DataTable
                testId="review-reviewers-table"
                columns={REVIEWER_COLUMNS}
                rows={data.reviewer_summaries}
                rowKey={(r) => r.reviewer_id}
              />
            </>
          )}
          <h3>Findings ({data.findings.length})</h3>
          {data.findings.length === 0 ? (
            <p class="muted">
              No findings recorded for this review
              {data.findings_count ? ` (the review reports ${data.findings_count})` : ''}.
            </p>
          ) : (
            <DataTable
              testId="review-findings-table"
              columns={FINDING_COLUMNS}
              rows={data.findings}
              rowKey={(f) => f.id}
            />
          )}
        </>
      )}
    </Panel>
  );
}
