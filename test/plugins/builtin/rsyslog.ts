/**
 * A real rsyslogd (Debian's package) as a child process: listening with imudp and imtcp on free
 * loopback ports, no other input (no imuxsock, no /dev/log), writing what it receives from
 * Vigil to a file in a temp folder with the RFC 5424 fields kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { waitUntil } from './context.js';
import { parseRfc5424, type Rfc5424Message } from './receivers.js';

/** rsyslogd from PATH or /usr/sbin; null when it is not installed. */
export function findRsyslogd(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, 'rsyslogd'))) return join(dir, 'rsyslogd');
  }
  return null;
}

/** A free loopback port for TCP and one for UDP (bound, read, released). */
async function freePorts(): Promise<{ tcp: number; udp: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tcp = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const udp = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { tcp, udp };
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/** One line of rsyslog's output file, parsed back into RFC 5424 fields. */
export interface ReceivedLine extends Rfc5424Message {
  line: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  dir: string;
  /** Lines rsyslog wrote for messages with APP-NAME `appName`, parsed. */
  lines(): ReceivedLine[];
  stop(): Promise<void>;
}

/**
 * Starts rsyslogd in the foreground with a config of our own and waits until it listens.
 *
 * @example
 * const rsyslog = await startRsyslog();
 * // send to 127.0.0.1:rsyslog.udpPort / rsyslog.tcpPort, then read rsyslog.lines()
 */
export async function startRsyslog(appName = 'vigil'): Promise<Rsyslog> {
  const bin = findRsyslogd();
  if (!bin) throw new Error('rsyslogd is not installed: install the Debian package rsyslog');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rsyslog-'));
  const { tcp, udp } = await freePorts();
  const received = join(dir, 'received.log');
  const all = join(dir, 'all.log');
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    [
      // Internal messages through our own rules, not to the system log (/dev/log, journal).
      `global(workDirectory="${dir}" maxMessageSize="64k" processInternalMessages="on")`,
      'module(load="imudp")',
      'module(load="imtcp")',
      `input(type="imudp" address="127.0.0.1" port="${udp}")`,
      `input(type="imtcp" address="127.0.0.1" port="${tcp}")`,
      'template(name="rfc5424fields" type="string"',
      '  string="%PRI% %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\\n")',
      `if $app-name == "${appName}" then {`,
      `  action(type="omfile" file="${received}" template="rfc5424fields")`,
      '}',
      `*.* action(type="omfile" file="${all}")`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    bin,
    ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let listening = false;
  try {
    // rsyslogd logs "start" once its inputs run; the TCP port answering confirms it.
    await waitUntil(
      () => {
        if (child.exitCode !== null)
          throw new Error(`rsyslogd exited ${child.exitCode}: ${output}`);
        if (read(all).includes('] start')) {
          void canConnect(tcp).then((ok) => (listening ||= ok));
        }
        return listening;
      },
      () => `rsyslogd to listen on ${tcp}: ${output}${read(all)}`,
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    udpPort: udp,
    tcpPort: tcp,
    dir,
    lines: () =>
      read(received)
        .split('\n')
        .filter((l) => l !== '')
        .map((line) => {
          // "PRI TIMESTAMP ..." back into "<PRI>1 TIMESTAMP ..." for the RFC 5424 parser.
          const sp = line.indexOf(' ');
          return { line, ...parseRfc5424(`<${line.slice(0, sp)}>1${line.slice(sp)}`) };
        }),
    stop,
  };
}
