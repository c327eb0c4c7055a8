/**
 * A fast 53-bit string hash (cyrb53, public domain): two 32-bit multiply-xorshift lanes. Used
 * as the dedupe key for event ids, where a collision only costs one extra probe (the store
 * compares the full id), never a lost event.
 *
 * @example
 * hash53('550e8400-e29b-41d4-a716-446655440001') // a safe integer in [0, 2^53)
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
