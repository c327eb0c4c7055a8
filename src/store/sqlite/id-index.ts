/** Highest load factor before growing. */
const LOAD = 0.7;

/**
 * An open-addressing hash index from an id's hash to the event's seq, in one typed array of
 * (low 32 bits of the 53-bit hash, seq) pairs, so that a probe touches one cache line (8 bytes
 * a slot, at most 70% full: about 12 bytes an event). It replaces a UNIQUE index on random ids, whose random B-tree inserts dirty a page
 * per event and slow ingest as the store grows.
 *
 * Lookups take a `confirm(seq)` callback that compares the full id, so equal hashes of
 * different ids (or slots pointing at pruned events) are probed past, never merged. Keeping 32
 * bits rather than 53 costs an extra confirm (one row read) on about 1 lookup in 3,000 at a
 * million events, and a third of the memory. Seqs start at 1: 0 marks an empty slot.
 */
export class IdIndex {
  /** Slot i is (slots[2i], slots[2i+1]) = (low 32 bits of the hash, seq): one cache line. */
  private slots: Uint32Array;
  private capacity: number;
  private used = 0;

  constructor(capacity = 1 << 16) {
    let cap = 1 << 10;
    while (cap * LOAD < capacity) cap *= 2;
    this.capacity = cap;
    this.slots = new Uint32Array(cap * 2);
  }

  get size(): number {
    return this.used;
  }

  /** The raw slots (hash, seq pairs), for snapshots. */
  internals(): { slots: Uint32Array; used: number } {
    return { slots: this.slots, used: this.used };
  }

  /** An index over the slots of a snapshot (their length a power of two, times two). */
  static fromInternals(slots: Uint32Array, used: number): IdIndex {
    const index = new IdIndex(0);
    index.slots = slots;
    index.capacity = slots.length / 2;
    index.used = used;
    return index;
  }

  /** Bytes held by the index. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  /** The seq of the event whose hash is `hash` and for which `confirm(seq)` holds, or null. */
  find(hash: number, confirm: (seq: number) => boolean): number | null {
    const slots = this.slots;
    const mask = this.capacity - 1;
    // The low 32 bits of the hash are well mixed (one full lane of cyrb53).
    const key = hash >>> 0;
    let i = key & mask;
    for (;;) {
      const seq = slots[2 * i + 1] as number;
      if (seq === 0) return null;
      if (slots[2 * i] === key && confirm(seq)) return seq;
      i = (i + 1) & mask;
    }
  }

  /**
   * One probe for both: the seq of the event whose hash is `hash` and for which `confirm(seq)`
   * holds, or else null after inserting `seq` under `hash` (in the empty slot the probe ended
   * on).
   */
  findOrInsert(hash: number, seq: number, confirm: (seq: number) => boolean): number | null {
    if (seq < 1) throw new RangeError(`IdIndex: seq ${seq} is not a row id (they start at 1)`);
    if (this.used + 1 > this.capacity * LOAD) this.grow();
    const slots = this.slots;
    const mask = this.capacity - 1;
    const key = hash >>> 0;
    let i = key & mask;
    for (;;) {
      const found = slots[2 * i + 1] as number;
      if (found === 0) break;
      if (slots[2 * i] === key && confirm(found)) return found;
      i = (i + 1) & mask;
    }
    slots[2 * i] = key;
    slots[2 * i + 1] = seq;
    this.used += 1;
    return null;
  }

  /** Grows ahead of time so that `more` inserts need no rehash midway. */
  reserve(more: number): void {
    while (this.used + more > this.capacity * LOAD) this.grow();
  }

  insert(hash: number, seq: number): void {
    if (seq < 1) throw new RangeError(`IdIndex: seq ${seq} is not a row id (they start at 1)`);
    if (this.used + 1 > this.capacity * LOAD) this.grow();
    this.place(hash >>> 0, seq);
    this.used += 1;
  }

  private place(key: number, seq: number): void {
    const slots = this.slots;
    const mask = this.capacity - 1;
    let i = key & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = key;
    slots[2 * i + 1] = seq;
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Uint32Array(this.capacity * 2);
    for (let i = 0; i < old.length; i += 2) {
      const seq = old[i + 1] as number;
      if (seq !== 0) this.place(old[i] as number, seq);
    }
  }
}

/**
 * "VID3": interleaved (hash, seq) slots. Snapshots of earlier layouts ("VIDX" with 53-bit
 * hashes, "VID2" with separate arrays) are rebuilt from the table once.
 */
const SNAPSHOT_MAGIC = 0x56494433;
const HEADER_BYTES = 40;

/** What a snapshot says it covers: the store it belongs to and the last row folded in. */
export interface SnapshotHeader {
  storeTag: number;
  lastRow: number;
  /** The key hash stored at `lastRow`: proves the table still holds the rows it covers. */
  lastHash: number;
}

/**
 * Serialises an index with a header (store tag, last row covered) so that a later process can
 * load it instead of rescanning the table, and catch up only the rows after `lastRow`.
 */
export function snapshotIndex(index: IdIndex, header: SnapshotHeader): Buffer {
  const { slots, used } = index.internals();
  const buf = Buffer.alloc(HEADER_BYTES + slots.byteLength);
  buf.writeUInt32LE(SNAPSHOT_MAGIC, 0);
  buf.writeUInt32LE(slots.length / 2, 4);
  buf.writeDoubleLE(used, 8);
  buf.writeDoubleLE(header.storeTag, 16);
  buf.writeDoubleLE(header.lastRow, 24);
  buf.writeDoubleLE(header.lastHash, 32);
  Buffer.from(slots.buffer, slots.byteOffset, slots.byteLength).copy(buf, HEADER_BYTES);
  return buf;
}

/** Loads a snapshot, or returns null when it is malformed (the caller then rebuilds). */
export function loadIndexSnapshot(buf: Buffer): { index: IdIndex; header: SnapshotHeader } | null {
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== SNAPSHOT_MAGIC) return null;
  const cap = buf.readUInt32LE(4);
  const used = buf.readDoubleLE(8);
  if (cap < 1024 || (cap & (cap - 1)) !== 0 || buf.length !== HEADER_BYTES + cap * 8) return null;
  if (!Number.isSafeInteger(used) || used < 0 || used > cap) return null;
  const slots = new Uint32Array(cap * 2);
  Buffer.from(slots.buffer).set(buf.subarray(HEADER_BYTES));
  const header = {
    storeTag: buf.readDoubleLE(16),
    lastRow: buf.readDoubleLE(24),
    lastHash: buf.readDoubleLE(32),
  };
  if (!Number.isSafeInteger(header.lastRow) || header.lastRow < 0) return null;
  return { index: IdIndex.fromInternals(slots, used), header };
}
