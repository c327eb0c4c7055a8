import type { VigilEvent } from '../../core/event.js';
import type { EventFilter, EventPage, EventQuery, Store } from '../../store/types.js';
import { badQuery } from '../http-error.js';

/** One page of `store.queryEvents`; a cursor the store cannot read is a 400 on `cursor`. */
export async function queryPage(store: Store, query: EventQuery): Promise<EventPage> {
  try {
    return await store.queryEvents(query);
  } catch (error) {
    if (query.cursor !== undefined && error instanceof RangeError) {
      throw badQuery('cursor', 'not a next_cursor from a previous page of this query');
    }
    throw error;
  }
}

/**
 * Every event matching `filter`, in time order (`desc`: newest first), a page at a time: memory
 * stays bounded however many match.
 */
export async function* iterateOrdered(
  store: Store,
  filter: EventFilter,
  order: 'asc' | 'desc',
  cursor?: string,
): AsyncIterable<VigilEvent> {
  if (order === 'asc' && cursor === undefined) {
    yield* store.iterateEvents(filter);
    return;
  }
  let next = cursor;
  for (;;) {
    const page = await queryPage(store, {
      ...filter,
      descending: order === 'desc',
      limit: 2000,
      cursor: next,
    });
    yield* page.events;
    if (page.nextCursor === null) return;
    next = page.nextCursor;
  }
}

/** Events a page scans at most, per request, looking for matches of an attribute filter. */
export const MAX_SCANNED_PER_PAGE = 20_000;

/**
 * A page of the events matching `query` that `pick` keeps (it maps an event to a row, or null
 * to skip it): for filters the store cannot apply (attributes). The cursor always lands right
 * after the last event the page consumed, so pages never skip or repeat a row. A page may hold
 * fewer than `limit` rows with a non-null cursor when `maxScanned` events were read.
 */
export async function filteredPage<T>(
  store: Store,
  query: EventQuery,
  limit: number,
  pick: (event: VigilEvent) => T | null,
  maxScanned = MAX_SCANNED_PER_PAGE,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const items: T[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  for (;;) {
    const need = limit - items.length;
    let page = await queryPage(store, { ...query, cursor, limit: Math.max(need, 256) });
    let picked = page.events.map(pick);
    let cut = -1;
    let seen = 0;
    for (let i = 0; i < picked.length; i++) {
      if (picked[i] !== null && ++seen === need) {
        cut = i;
        break;
      }
    }
    if (cut !== -1 && cut < picked.length - 1) {
      // More matches than needed: read again up to the last one kept, so the store's cursor
      // points just past it.
      page = await queryPage(store, { ...query, cursor, limit: cut + 1 });
      picked = page.events.map(pick);
    }
    scanned += page.events.length;
    for (const row of picked) if (row !== null && items.length < limit) items.push(row);
    if (page.nextCursor === null) return { items, nextCursor: null };
    cursor = page.nextCursor;
    if (items.length >= limit || scanned >= maxScanned) return { items, nextCursor: cursor };
  }
}
