const EMPTY = -1;
/** Highest load factor before growing. */
const LOAD = 0.7;

/**
 * An open-addressing hash index from a 53-bit id hash to the event's seq, in two typed arrays
 * (12 bytes a slot, at most 70% full: about 17 bytes an event). It replaces a UNIQUE index on random ids, whose
 * random B-tree inserts dirty a page per event and slow ingest as the store grows.
 *
 * Lookups take a `confirm(seq)` callback that compares the full id, so equal hashes of
 * different ids (or slots pointing at pruned events) are probed past, never merged.
 */
export class IdIndex {
  private keys: Float64Array;
  private seqs: Uint32Array;
  private used = 0;

  constructor(capacity = 1 << 16) {
    let cap = 1 << 10;
    while (cap * LOAD < capacity) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.seqs = new Uint32Array(cap);
  }

  get size(): number {
    return this.used;
  }

  /** Bytes held by the index. */
  get byteLength(): number {
    return this.keys.byteLength + this.seqs.byteLength;
  }

  /** The seq of the event whose hash is `hash` and for which `confirm(seq)` holds, or null. */
  find(hash: number, confirm: (seq: number) => boolean): number | null {
    const mask = this.keys.length - 1;
    // The low 32 bits of the hash are well mixed (one full lane of cyrb53).
    let i = (hash >>> 0) & mask;
    for (;;) {
      const k = this.keys[i] as number;
      if (k === EMPTY) return null;
      if (k === hash && confirm(this.seqs[i] as number)) return this.seqs[i] as number;
      i = (i + 1) & mask;
    }
  }

  /** Grows ahead of time so that `more` inserts need no rehash midway. */
  reserve(more: number): void {
    while (this.used + more > this.keys.length * LOAD) this.grow();
  }

  insert(hash: number, seq: number): void {
    if (this.used + 1 > this.keys.length * LOAD) this.grow();
    this.place(hash, seq);
    this.used += 1;
  }

  private place(hash: number, seq: number): void {
    const mask = this.keys.length - 1;
    let i = (hash >>> 0) & mask;
    while (this.keys[i] !== EMPTY) i = (i + 1) & mask;
    this.keys[i] = hash;
    this.seqs[i] = seq;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldSeqs = this.seqs;
    this.keys = new Float64Array(oldKeys.length * 2).fill(EMPTY);
    this.seqs = new Uint32Array(oldKeys.length * 2);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k !== EMPTY) this.place(k, oldSeqs[i] as number);
    }
  }
}
