/**
 * The error catalogue. Every error Vigil raises has a code, a message that says how to fix it,
 * and the CLI exit code it maps to (seed 003: 1 no data, 2 parse error, 3 file/permission/disk).
 * docs/errors.md lists the same codes; a test keeps them in step.
 */
export const EXIT = {
  ok: 0,
  noData: 1,
  parse: 2,
  io: 3,
  usage: 2,
  internal: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const ERROR_CODES = {
  VIGIL_ERR_FILE_NOT_FOUND: { exit: EXIT.io, hint: 'Check the path; globs must be quoted.' },
  VIGIL_ERR_PERMISSION: {
    exit: EXIT.io,
    hint: 'Vigil needs read permission on sources and read/write on the data dir.',
  },
  VIGIL_ERR_DISK: {
    exit: EXIT.io,
    hint: 'Free disk space or point --data-dir elsewhere; nothing was half-written.',
  },
  VIGIL_ERR_STORE_LOCKED: {
    exit: EXIT.io,
    hint: 'Another process holds the database write lock; retry when it finishes.',
  },
  VIGIL_ERR_STORE_CORRUPT: {
    exit: EXIT.io,
    hint: 'Run `vigil doctor`; restore from a backup of the data dir if it fails.',
  },
  VIGIL_ERR_STORE_VERSION: {
    exit: EXIT.io,
    hint: 'The database was written by a newer Vigil; upgrade Vigil.',
  },
  VIGIL_ERR_CONFIG: { exit: EXIT.parse, hint: 'Fix the named key in the config file.' },
  VIGIL_ERR_USAGE: { exit: EXIT.usage, hint: 'See `vigil <command> --help`.' },
  VIGIL_ERR_UNKNOWN_FORMAT: {
    exit: EXIT.usage,
    hint: 'Pass --format with one of the names `vigil formats` lists.',
  },
} as const satisfies Record<string, { exit: ExitCode; hint: string }>;
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An expected failure with a catalogue code. Bad input lines are not errors: they are counted
 * and reported as rejects; this is for failures that stop a command.
 *
 * @example
 * throw new VigilError('VIGIL_ERR_FILE_NOT_FOUND', `No such file: ${path}`);
 */
export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit;
    this.hint = ERROR_CODES[code].hint;
  }
}

/** Maps a Node system error (ENOENT, EACCES, ENOSPC, ...) on `path` onto a VigilError. */
export function fromSystemError(error: unknown, path: string, action: string): VigilError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new VigilError('VIGIL_ERR_FILE_NOT_FOUND', `${path}: not found (${action})`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new VigilError(
        'VIGIL_ERR_PERMISSION',
        `${path}: permission denied (${action}); needs ${action.startsWith('read') ? 'read' : 'read and write'} permission`,
        { cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EROFS':
    case 'EIO':
      return new VigilError('VIGIL_ERR_DISK', `${path}: ${code} while trying to ${action}`, {
        cause: error,
      });
    default:
      return new VigilError(
        'VIGIL_ERR_DISK',
        `${path}: ${(error as Error | undefined)?.message ?? String(error)} (${action})`,
        { cause: error },
      );
  }
}
