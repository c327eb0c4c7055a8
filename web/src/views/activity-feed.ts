import type { EventRecord } from './explorer-detail';

/** How many events the feed keeps, and how many it holds back while paused. */
export const FEED_LIMIT = 500;

/** The feed: shown events newest first, and those held back while paused. */
export interface FeedState {
  items: EventRecord[];
  /** Held back while paused, newest first (at most FEED_LIMIT). */
  held: EventRecord[];
  /** Events that arrived while paused, including any beyond the held limit. */
  heldCount: number;
  /** Event ids in `items` and `held`, so that nothing shows twice. */
  ids: Set<string>;
}

export const EMPTY_FEED: FeedState = { items: [], held: [], heldCount: 0, ids: new Set() };

/** Keeps the newest `limit` of a newest-first list, forgetting the ids of those dropped. */
function bound(list: EventRecord[], ids: Set<string>, limit: number): EventRecord[] {
  if (list.length <= limit) return list;
  for (const e of list.slice(limit)) ids.delete(e.event_id);
  return list.slice(0, limit);
}

/**
 * Adds newly committed events (oldest first, as they arrive): shown at the top, or held back
 * while paused. Events already in the feed are skipped.
 *
 * @example
 * feed = addLive(feed, batch, paused, (e) => e.session_id === 's1');
 */
export function addLive(
  feed: FeedState,
  batch: readonly EventRecord[],
  paused: boolean,
  accept: (e: EventRecord) => boolean = () => true,
): FeedState {
  const ids = new Set(feed.ids);
  const fresh: EventRecord[] = [];
  for (const e of batch) {
    if (ids.has(e.event_id) || !accept(e)) continue;
    ids.add(e.event_id);
    fresh.push(e);
  }
  if (fresh.length === 0) return feed;
  fresh.reverse();
  if (paused) {
    const held = bound([...fresh, ...feed.held], ids, FEED_LIMIT);
    return { ...feed, held, heldCount: feed.heldCount + fresh.length, ids };
  }
  return { ...feed, items: bound([...fresh, ...feed.items], ids, FEED_LIMIT), ids };
}

/** Adds the initial fill (newest first) below what live events already brought. */
export function addInitial(feed: FeedState, events: readonly EventRecord[]): FeedState {
  const ids = new Set(feed.ids);
  const older = events.filter((e) => {
    if (ids.has(e.event_id)) return false;
    ids.add(e.event_id);
    return true;
  });
  return { ...feed, items: bound([...feed.items, ...older], ids, FEED_LIMIT), ids };
}

/** Shows the events held back while paused, on top. */
export function release(feed: FeedState): FeedState {
  if (feed.held.length === 0 && feed.heldCount === 0) return feed;
  const ids = new Set(feed.ids);
  return {
    items: bound([...feed.held, ...feed.items], ids, FEED_LIMIT),
    held: [],
    heldCount: 0,
    ids,
  };
}
