import { createServer } from 'node:net';

/** True when nothing listens on `port` of 127.0.0.1 (checked by listening for a moment). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/**
 * The first free loopback port of `[first, last]` (seed 000: "plugin picks first available"),
 * or null when every one is taken. The plugin listens on it itself, just after.
 *
 * @example
 * const port = await firstFreePort([9400, 9410]); // 9400, or the next free one
 */
export async function firstFreePort(range: readonly [number, number]): Promise<number | null> {
  for (let port = range[0]; port <= range[1]; port++) if (await isFree(port)) return port;
  return null;
}
