import { F, STRIDE, type EncodedEvents } from '../core/encoded.js';

/** Encoded fields that hold a number or null, packed into a Float64Array. */
const NUM_FIELDS = [
  F.idHash,
  F.bodyHash,
  F.ts,
  F.durationMs,
  F.tokensIn,
  F.tokensOut,
  F.tokensCacheRead,
  F.tokensCacheWrite,
  F.costUsd,
  F.line,
  F.offset,
] as const;

/** Encoded fields that hold a string or null (the id aside), packed as dictionary codes. */
const STR_FIELDS = [
  F.type,
  F.kind,
  F.sessionId,
  F.taskId,
  F.phase,
  F.agentRole,
  F.model,
  F.status,
  F.message,
  F.adapter,
  F.file,
  F.attrs,
] as const;

const NN = NUM_FIELDS.length;
const NS = STR_FIELDS.length;

/** The typed arrays of a packed batch, which a consumer can hand back for the next one. */
export interface PackedBuffers {
  nums: Float64Array;
  /** Bit k set: numeric field k is null. */
  nulls: Uint16Array;
  /** Index into `dict`, or -1 for null. */
  codes: Int32Array;
}

/**
 * A batch of encoded events packed for posting between threads: numbers in a typed array
 * (with a null bit per field), every string but the id as a code into one per-batch
 * dictionary. Structured cloning costs about the same for every value it copies, and most of
 * a batch's strings repeat (type, kind, model, file, session, often the attributes), so this
 * crosses in a fraction of the time the flat value array takes. The typed arrays are
 * transferred, not copied; they may be longer than `count` events need.
 */
export interface PackedEvents extends PackedBuffers {
  count: number;
  ids: string[];
  dict: string[];
}

/**
 * Builds a packed batch one event at a time, from an event's slice of an encoding's values
 * (so that a producer can encode each event into a small reused array instead of keeping a
 * whole batch of values alive).
 *
 * @example
 * const builder = new PackedBuilder(2_000);
 * builder.add(enc.values, i * STRIDE);
 * port.postMessage(builder.finish(), transferablesOf(packed));
 */
export class PackedBuilder {
  private n = 0;
  private readonly ids: string[] = [];
  private nums: Float64Array;
  private nulls: Uint16Array;
  private codes: Int32Array;
  private readonly dict: string[] = [];
  private readonly codeOf = new Map<string, number>();
  /** The previous string of each field and its code: most fields repeat from event to event. */
  private readonly last: (string | null)[] = new Array<string | null>(NS).fill(null);
  private readonly lastCode = new Int32Array(NS).fill(-1);

  /** `reuse`: the buffers of a batch the consumer is done with (used when large enough). */
  constructor(capacity: number, reuse?: PackedBuffers) {
    const cap = Math.max(capacity, 16);
    if (reuse !== undefined && reuse.nulls.length >= cap) {
      this.nums = reuse.nums;
      this.nulls = reuse.nulls;
      this.codes = reuse.codes;
    } else {
      this.nums = new Float64Array(cap * NN);
      this.nulls = new Uint16Array(cap);
      this.codes = new Int32Array(cap * NS);
    }
  }

  get count(): number {
    return this.n;
  }

  /** Appends the event whose values start at offset `o` of `v`. */
  add(v: readonly unknown[], o: number): void {
    const i = this.n;
    if (i === this.nulls.length) this.grow();
    this.ids.push(v[o] as string);
    let mask = 0;
    const nums = this.nums;
    const pn = i * NN;
    for (let k = 0; k < NN; k++) {
      const x = v[o + (NUM_FIELDS[k] as number)] as number | null;
      if (x === null) mask |= 1 << k;
      else nums[pn + k] = x;
    }
    this.nulls[i] = mask;
    const codes = this.codes;
    const last = this.last;
    const ps = i * NS;
    for (let k = 0; k < NS; k++) {
      const s = v[o + (STR_FIELDS[k] as number)] as string | null;
      if (s === null) {
        codes[ps + k] = -1;
      } else if (s === last[k]) {
        codes[ps + k] = this.lastCode[k] as number;
      } else {
        let c = this.codeOf.get(s);
        if (c === undefined) {
          c = this.dict.length;
          this.dict.push(s);
          this.codeOf.set(s, c);
        }
        codes[ps + k] = c;
        last[k] = s;
        this.lastCode[k] = c;
      }
    }
    this.n = i + 1;
  }

  /** The packed batch (the builder is not to be used afterwards). */
  finish(): PackedEvents {
    return {
      count: this.n,
      ids: this.ids,
      nums: this.nums,
      nulls: this.nulls,
      codes: this.codes,
      dict: this.dict,
    };
  }

  private grow(): void {
    const cap = this.nulls.length * 2;
    const nums = new Float64Array(cap * NN);
    nums.set(this.nums);
    this.nums = nums;
    const nulls = new Uint16Array(cap);
    nulls.set(this.nulls);
    this.nulls = nulls;
    const codes = new Int32Array(cap * NS);
    codes.set(this.codes);
    this.codes = codes;
  }
}

/**
 * Packs an encoding (its fold is not carried).
 *
 * @example
 * const packed = packEvents(encodeEvents(events));
 */
export function packEvents(enc: EncodedEvents): PackedEvents {
  const builder = new PackedBuilder(enc.count);
  for (let i = 0; i < enc.count; i++) builder.add(enc.values, i * STRIDE);
  return builder.finish();
}

/** The buffers of a packed batch, to transfer rather than copy. */
export function transferablesOf(p: PackedBuffers): ArrayBuffer[] {
  return [p.nums.buffer, p.nulls.buffer, p.codes.buffer] as ArrayBuffer[];
}

/**
 * The encoding a packed batch was made from (same values, no fold). Pass `reuse` (the values
 * array of an earlier batch that nothing reads any more) to write into it instead of
 * allocating a large array per batch.
 *
 * @example
 * const enc = unpackEvents(message.packed);
 */
export function unpackEvents(p: PackedEvents, reuse?: unknown[]): EncodedEvents {
  const n = p.count;
  const values = reuse ?? new Array<unknown>(n * STRIDE);
  const { ids, nums, nulls, codes, dict } = p;
  for (let i = 0; i < n; i++) {
    const o = i * STRIDE;
    values[o] = ids[i];
    const mask = nulls[i] as number;
    const pn = i * NN;
    for (let k = 0; k < NN; k++) {
      values[o + (NUM_FIELDS[k] as number)] = (mask >>> k) & 1 ? null : nums[pn + k];
    }
    const ps = i * NS;
    for (let k = 0; k < NS; k++) {
      const c = codes[ps + k] as number;
      values[o + (STR_FIELDS[k] as number)] = c < 0 ? null : dict[c];
    }
  }
  return { count: n, values };
}
