import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REDACTION_KINDS,
  REDACTION_KINDS,
  isRedactionKind,
  sanitizeText,
  type RedactionKind,
} from './index.js';

// Fake credentials are glued together at run time so that secret scanners do not flag this file.
const j = (...parts: string[]): string => parts.join('');
const ALNUM = 'A1b2C3d4E5f6G7h8J9k0LmNpQrStUvWxYz';
const OPENAI = j('sk', '-', ALNUM, 'abcd1234EFGH');
const OPENAI_PROJ = j('sk', '-proj-', ALNUM, '_-', ALNUM);
const ANTHROPIC = j('sk', '-ant-api03-', ALNUM, '-', ALNUM, 'AA');
const GITHUB = j('gh', 'p_', ALNUM, '0Z');
const GITHUB_OAUTH = j('gh', 'o_', ALNUM, '9Y');
const GITHUB_APP = j('gh', 's_', ALNUM, '8X');
const GITHUB_PAT = j('github', '_pat_', '11ABCDEFG0', ALNUM, '_', ALNUM);
const AWS = j('AK', 'IA', 'Z7Q2XK4M9P3WB6TD');
const GOOGLE = j('AI', 'za', 'SyB', ALNUM.slice(0, 32));
const SLACK = j('xo', 'xb-', '123456789012-1234567890123-', ALNUM.slice(0, 24));
const STRIPE = j('sk', '_live_', '51H', ALNUM);
const STRIPE_RESTRICTED = j('rk', '_live_', '51H', ALNUM);
const JWT = j(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0',
  '.',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const PEM_BODY =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const PEM = j(
  '-----BEGIN RSA PRIVATE',
  ' KEY-----\n',
  PEM_BODY,
  '-----END RSA PRIVATE',
  ' KEY-----',
);

const M = (kind: RedactionKind): string => `[REDACTED:${kind}]`;
const ALL_KINDS = { kinds: REDACTION_KINDS };

/** Asserts `input` sanitises to `expected` with exactly `count` redactions of `kind`. */
function expectRedacted(input: string, expected: string, kind: RedactionKind, count = 1): void {
  const r = sanitizeText(input, ALL_KINDS);
  expect(r.text).toBe(expected);
  expect(r.changed).toBe(true);
  expect(r.redactions[kind]).toBe(count);
}

function expectUntouched(input: string): void {
  const r = sanitizeText(input, ALL_KINDS);
  expect(r.text).toBe(input);
  expect(r.changed).toBe(false);
  expect(Object.values(r.redactions).every((n) => n === 0)).toBe(true);
}

describe('options and result shape', () => {
  it('reports every kind, zero when nothing matched', () => {
    const r = sanitizeText('nothing to see here');
    expect(Object.keys(r.redactions).sort()).toEqual([...REDACTION_KINDS].sort());
    expect(r).toMatchObject({ text: 'nothing to see here', changed: false });
  });

  it('applies every kind but ip_address by default', () => {
    expect(DEFAULT_REDACTION_KINDS).toEqual(REDACTION_KINDS.filter((k) => k !== 'ip_address'));
    expect(sanitizeText('from 203.0.113.7').text).toBe('from 203.0.113.7');
    expect(sanitizeText('from 203.0.113.7', ALL_KINDS).text).toBe(`from ${M('ip_address')}`);
  });

  it('applies only the kinds asked for', () => {
    const input = `mail bob@example.com key ${OPENAI}`;
    const r = sanitizeText(input, { kinds: ['email'] });
    expect(r.text).toBe(`mail ${M('email')} key ${OPENAI}`);
    expect(r.redactions.api_key).toBe(0);
    expect(sanitizeText(input, { kinds: [] })).toMatchObject({ text: input, changed: false });
  });

  it('rejects an unknown kind with a usage error that lists the valid ones', () => {
    expect(() => sanitizeText('x', { kinds: ['emails' as RedactionKind] })).toThrow(
      /Unknown redaction kind: emails\. Use one of private_key, /,
    );
    expect(isRedactionKind('home_path')).toBe(true);
    expect(isRedactionKind('homepath')).toBe(false);
  });

  it('handles the empty string', () => {
    expect(sanitizeText('', ALL_KINDS)).toMatchObject({ text: '', changed: false });
  });
});

describe('private_key', () => {
  it('replaces a PEM block, multi-line or with escaped newlines', () => {
    expectRedacted(`key:\n${PEM}\nafter`, `key:\n${M('private_key')}\nafter`, 'private_key');
    const escaped = JSON.stringify({ key: PEM });
    expectRedacted(escaped, `{"key":"${M('private_key')}"}`, 'private_key');
    const openssh = j(
      '-----BEGIN OPENSSH PRIVATE',
      ' KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE',
      ' KEY-----',
    );
    expectRedacted(
      `a ${openssh} b ${openssh} c`,
      `a ${M('private_key')} b ${M('private_key')} c`,
      'private_key',
      2,
    );
  });

  it('redacts to the end of the text when the END line was truncated away', () => {
    const truncated = j('Bad key: -----BEGIN EC PRIVATE', ' KEY-----\nMHcCAQEEIB...');
    expectRedacted(truncated, `Bad key: ${M('private_key')}`, 'private_key');
  });

  it('leaves public keys and certificates alone', () => {
    expectUntouched('-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----');
    expectUntouched('-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+g\n-----END CERTIFICATE-----');
    expectUntouched('the private key file is missing');
  });
});

describe('jwt', () => {
  it('replaces a three-part token', () => {
    expectRedacted(`jwt=${JWT}`, `jwt=${M('jwt')}`, 'jwt');
    expectRedacted(`got "${JWT}" back`, `got "${M('jwt')}" back`, 'jwt');
  });

  it('leaves a lone base64 header and dotted words alone', () => {
    expectUntouched('header eyJhbGciOiJIUzI1NiJ9 only');
    expectUntouched('eyJa.eyJb.c is too short');
  });
});

describe('api_key', () => {
  const keys: [string, string][] = [
    ['OpenAI', OPENAI],
    ['OpenAI project', OPENAI_PROJ],
    ['Anthropic', ANTHROPIC],
    ['GitHub classic', GITHUB],
    ['GitHub OAuth', GITHUB_OAUTH],
    ['GitHub app', GITHUB_APP],
    ['GitHub fine-grained', GITHUB_PAT],
    ['AWS access key id', AWS],
    ['Google', GOOGLE],
    ['Slack', SLACK],
    ['Stripe secret', STRIPE],
    ['Stripe restricted', STRIPE_RESTRICTED],
  ];
  it.each(keys)('replaces a %s key wherever it appears', (_name, key) => {
    expectRedacted(
      `401 Unauthorized: key ${key} rejected`,
      `401 Unauthorized: key ${M('api_key')} rejected`,
      'api_key',
    );
    expectRedacted(`"${key}"`, `"${M('api_key')}"`, 'api_key');
  });

  it('counts the key once when it is also the value of an assignment', () => {
    const r = sanitizeText(`OPENAI_API_KEY=${OPENAI}`, ALL_KINDS);
    expect(r.text).toBe(`OPENAI_API_KEY=${M('api_key')}`);
    expect(r.redactions).toMatchObject({ api_key: 1, secret_assignment: 0 });
  });

  it.each([
    'task_sk-ish naming',
    'see task_sk-ABCDEFGHIJ0123456789abcdef for details',
    'risk-assessment-for-production-systems-2024',
    `sk-${'-'.repeat(40)}`,
    'sk-learn-compatible-estimator-wrapper-module',
    'pk_live_publishable_keys_are_public_1234567890',
    'AKIA is a prefix, AKIAEXAMPLE is too short',
    'ghp_short',
    'xoxb-notdigits-onlyletters',
  ])('leaves %j alone', (text) => expectUntouched(text));
});

describe('url_credentials', () => {
  it('keeps scheme and host, drops user and password', () => {
    expectRedacted(
      'connect postgres://admin:s3cr3t@db.internal:5432/app failed',
      `connect postgres://${M('url_credentials')}@db.internal:5432/app failed`,
      'url_credentials',
    );
    expectRedacted(
      'redis://:p@ss@cache:6379/0',
      `redis://${M('url_credentials')}@cache:6379/0`,
      'url_credentials',
    );
    expectRedacted(
      'GET https://bob:hunter2@example.com/x',
      `GET https://${M('url_credentials')}@example.com/x`,
      'url_credentials',
    );
  });

  it('leaves ports, user-only URLs and query strings alone', () => {
    expectUntouched('https://example.com:8080/path?next=a:b');
    expectUntouched('http://localhost:3000/api/v1:batch');
    expectUntouched('ssh://git@example.com/repo.git');
  });
});

describe('bearer_token', () => {
  it('replaces the token and keeps the scheme', () => {
    expectRedacted(
      'Authorization: Bearer abcDEF123456789.xyz_-',
      `Authorization: Bearer ${M('bearer_token')}`,
      'bearer_token',
    );
    expectRedacted(
      'authorization: basic dXNlcjpwYXNzd29yZA==',
      `authorization: basic ${M('bearer_token')}`,
      'bearer_token',
    );
    expectRedacted(
      'curl -H "Authorization: Bearer Zx9Yq8Wp7Vo6"',
      `curl -H "Authorization: Bearer ${M('bearer_token')}"`,
      'bearer_token',
    );
  });

  it('leaves prose about bearer tokens alone', () => {
    expectUntouched('uses bearer authentication and Bearer token-based flows');
    expectUntouched('the bearer token was rejected');
    expectUntouched('WWW-Authenticate: Basic realm="api"');
  });
});

describe('secret_assignment', () => {
  it.each([
    ['password=hunter2', `password=${M('secret_assignment')}`],
    ['DB_PASSWORD = "correct horse battery"', `DB_PASSWORD = "${M('secret_assignment')}"`],
    [
      '{"api_key": "abc123", "user": "bob"}',
      `{"api_key": "${M('secret_assignment')}", "user": "bob"}`,
    ],
    [`{"token":"t0k\\"en","n":1}`, `{"token":"${M('secret_assignment')}","n":1}`],
    [
      `payload {\\"token\\":\\"abc123\\"} sent`,
      `payload {\\"token\\":\\"${M('secret_assignment')}\\"} sent`,
    ],
    ["client_secret: 'xyz-789'", `client_secret: '${M('secret_assignment')}'`],
    ['apiKey: deadbeef42', `apiKey: ${M('secret_assignment')}`],
    ['x-api-key: deadbeef42', `x-api-key: ${M('secret_assignment')}`],
    [
      'GET /cb?code=1&access_token=ya29.abc&state=2',
      `GET /cb?code=1&access_token=${M('secret_assignment')}&state=2`,
    ],
    ['--password=swordfish', `--password=${M('secret_assignment')}`],
    ['PGPASSWORD=pg secret', `PGPASSWORD=${M('secret_assignment')} secret`],
    [
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      `aws_secret_access_key=${M('secret_assignment')}`,
    ],
    ['Authorization: Token abc123def456', `Authorization: Token ${M('secret_assignment')}`],
    ['Cookie: session=abc123; theme=dark', `Cookie: ${M('secret_assignment')}; theme=dark`],
    ['Config(password=abc, user=x)', `Config(password=${M('secret_assignment')}, user=x)`],
    ['secret := s3', `secret := ${M('secret_assignment')}`],
  ])('redacts the value of %j, keeping the key', (input, expected) => {
    expectRedacted(input, expected, 'secret_assignment');
  });

  it.each([
    'Invalid token provided',
    'token expired at 12:00 UTC',
    'max_tokens=4096 tokens_used: 1200 token_count=7',
    'input_tokens: 1200, output_tokens: 300',
    'secret_name=prod-db password_file=/run/secrets/db',
    'primary_key=42 key=value',
    'password=*** password: null token=""',
    'auth::token::verify failed',
    'passing the password through the environment',
  ])('leaves %j alone', (text) => expectUntouched(text));
});

describe('email', () => {
  it('replaces addresses', () => {
    expectRedacted(
      'user bob.smith+ci@mail.example.co.uk not found',
      `user ${M('email')} not found`,
      'email',
    );
    expectRedacted(
      '<alice@example.com>, carol@corp.io',
      `<${M('email')}>, ${M('email')}`,
      'email',
      2,
    );
  });

  it('leaves ssh remotes, scoped packages, versions and decorators alone', () => {
    expectUntouched('git@github.com:org/repo.git');
    expectUntouched('npm i @types/node@20.19.43 and pkg@1.2.3');
    expectUntouched('user@localhost and a@b');
    expectUntouched('@pytest.fixture');
  });
});

describe('home_path', () => {
  it.each([
    ['open /home/alice/project/src/x.ts failed', 'open ~/project/src/x.ts failed'],
    ['/Users/bob/Library/Caches/vigil', '~/Library/Caches/vigil'],
    ['/var/home/dan/.config/app', '~/.config/app'],
    ['C:\\Users\\John Smith\\AppData\\Local\\x.log', '~\\AppData\\Local\\x.log'],
    ['C:\\\\Users\\\\eve\\\\repo', '~\\\\repo'],
    ['file:///C:/Users/eve/repo/a.ts', 'file:///~/repo/a.ts'],
    ['cwd is /home/carol.', 'cwd is ~.'],
    ['HOME=/home/carol PATH=/usr/bin', 'HOME=~ PATH=/usr/bin'],
  ])('turns %j into %j', (input, expected) => {
    expectRedacted(input, expected, 'home_path');
  });

  it.each([
    'permissions on /home are wrong',
    '/home/',
    '/usr/share/home/x/y',
    '/srv/homes/alice/x',
    '/Users/Shared/data',
    'C:\\Users\\Public\\Documents',
    'see ~/project/x',
  ])('leaves %j alone', (text) => expectUntouched(text));
});

describe('ip_address (off by default)', () => {
  it('replaces public and private IPv4 addresses when asked', () => {
    expectRedacted(
      'connect 10.0.0.12:5432 and 203.0.113.7.',
      `connect ${M('ip_address')}:5432 and ${M('ip_address')}.`,
      'ip_address',
      2,
    );
  });

  it('leaves loopback, any-address, versions and out-of-range numbers alone', () => {
    expectUntouched('listen 127.0.0.1 and 0.0.0.0');
    expectUntouched('v1.2.3 and 1.2.3.4.5 and 300.1.1.1');
  });
});

describe('stack_trace', () => {
  it('collapses a Python traceback and keeps the final error line', () => {
    const trace = [
      'Task failed:',
      'Traceback (most recent call last):',
      '  File "/home/alice/app/main.py", line 42, in <module>',
      '    main()',
      '  File "/home/alice/app/main.py", line 30, in main',
      '    run(cfg)',
      '  File "/home/alice/app/run.py", line 7, in run',
      '    raise ValueError(f"bad config {cfg}")',
      '    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      'ValueError: bad config in /home/alice/app/cfg.toml',
    ].join('\n');
    const r = sanitizeText(trace);
    expect(r.text).toBe(
      'Task failed:\n[stack trace removed: 3 frames]\nValueError: bad config in ~/app/cfg.toml',
    );
    expect(r.redactions).toMatchObject({ stack_trace: 1, home_path: 1 });
  });

  it('collapses each block of a chained Python traceback', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "a.py", line 1, in f',
      '    g()',
      "KeyError: 'x'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "a.py", line 3, in h',
      '    f()',
      'RuntimeError: wrapped',
    ].join('\n');
    expect(sanitizeText(trace).text).toBe(
      [
        '[stack trace removed: 1 frame]',
        "KeyError: 'x'",
        '',
        'During handling of the above exception, another exception occurred:',
        '',
        '[stack trace removed: 1 frame]',
        'RuntimeError: wrapped',
      ].join('\n'),
    );
  });

  it('collapses Node frames under the error line', () => {
    const trace = [
      'Error: connect ECONNREFUSED 127.0.0.1:5432',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
      '    at Object.<anonymous> (/home/bob/app/dist/index.js:10:5)',
      '    at new Promise (<anonymous>)',
      '    at async Promise.all (index 0)',
      '    at /Users/bob/app/node_modules/pg/lib/client.js:45:17',
      '    at file:///home/bob/app/src/main.mjs:3:1',
      'Node.js v20.19.0',
    ].join('\r\n');
    const r = sanitizeText(trace);
    expect(r.text).toBe(
      'Error: connect ECONNREFUSED 127.0.0.1:5432\r\n    [stack trace removed: 6 frames]\r\nNode.js v20.19.0',
    );
    expect(r.redactions.stack_trace).toBe(1);
  });

  it('collapses Java frames, keeping "Caused by" lines', () => {
    const trace = [
      'Exception in thread "main" java.lang.IllegalStateException: boom',
      '\tat com.acme.App.run(App.java:42)',
      '\tat com.acme.App.main(App.java:10)',
      'Caused by: java.io.IOException: disk',
      '\tat java.base/java.io.FileInputStream.open0(Native Method)',
      '\t... 2 more',
    ].join('\n');
    const r = sanitizeText(trace);
    expect(r.text).toBe(
      [
        'Exception in thread "main" java.lang.IllegalStateException: boom',
        '\t[stack trace removed: 2 frames]',
        'Caused by: java.io.IOException: disk',
        '\t[stack trace removed: 1 frame]',
      ].join('\n'),
    );
    expect(r.redactions.stack_trace).toBe(2);
  });

  it('leaves prose with "at" and a lone Traceback header alone', () => {
    expectUntouched('Failed at step 3\n  at the moment nothing works\n  at home (see above)');
    expectUntouched('Traceback (most recent call last):\nValueError: x');
    expectUntouched('look at foo.js:10 for details');
  });
});

describe('long input', () => {
  it('redacts secrets in lines longer than one 64 KiB piece', () => {
    const filler = 'lorem ipsum '.repeat(10_000); // 120 KB, one line
    const r = sanitizeText(`${filler}password=hunter2 ${filler}${OPENAI}`);
    expect(r.text).toBe(`${filler}password=${M('secret_assignment')} ${filler}${M('api_key')}`);
  });

  it('returns a long clean text unchanged', () => {
    const text = 'line with nothing secret\n'.repeat(20_000);
    expect(sanitizeText(text, ALL_KINDS)).toMatchObject({ text, changed: false });
  });
});

describe('idempotence', () => {
  const corpus = [
    `Request failed: POST https://svc:pw@api.example.com/v1 with Authorization: Bearer ${JWT}`,
    `env: OPENAI_API_KEY=${OPENAI} ANTHROPIC_API_KEY="${ANTHROPIC}" GH=${GITHUB}`,
    `{"error":"auth","token":"${SLACK}","email":"dev@example.org","path":"/home/dev/x"}`,
    `aws ${AWS} google ${GOOGLE} stripe ${STRIPE} pat ${GITHUB_PAT}`,
    `key follows\n${PEM}\nand a second -----BEGIN PRIVATE KEY-----\nMIIB`,
    'password: password=token=x; secret=[REDACTED] api_key: [REDACTED:api_key]',
    'Authorization: Basic dXNlcjpwYXNz and Authorization: Bearer Abc',
    '/home/alice/home/bob/x and C:\\Users\\al\\Users\\bo\\y and /Users/x/Users/y/',
    'redis://:p@ss@cache:6379 https://u:sk-abcdefghij0123456789xyz@h.io',
    'Traceback (most recent call last):\n  File "/home/a/x.py", line 1\n    f()\nOSError: /home/a/f',
    'Error: x\n    at f (/home/a/x.js:1:2)\n    at g (/home/a/y.js:3:4)\nError: y\n    at h (z.js:5:6)',
    'contact alice@example.com or 10.1.2.3 or user@sub.example.io.',
    `mixed ${'a '.repeat(40_000)} password=x ${'b'.repeat(70_000)} bob@example.com`,
    'Invalid token provided; max_tokens=5; task_sk-ish; /home alone',
    // Found by the random test below: a later kind's marker or `~` gave an earlier kind a new
    // neighbour on the second run.
    '10.0.0.1/home/aa and {C:\\Users\\proj-=>Authorization=>A1b2C3d4E5f6G7h8J9k0}',
    'C:\\Users\\bob10.0.0.1abcDEF123456789xyzABC~eyJa.eyJbbbbbb.sig',
    // A redaction that turns a line into a stack frame.
    'Error: x\n    at password="a b" (x.js:1:2)',
  ];

  // A seeded random mix of pattern fragments, where kinds meet and overlap.
  const FRAGMENTS = [
    'password',
    'token',
    'api_key',
    'Authorization',
    ':',
    '=',
    '=>',
    '"',
    "'",
    '\\',
    '\\"',
    ' ',
    '\n',
    '\t',
    'Bearer ',
    'Basic ',
    'sk-',
    'proj-',
    'ghp_',
    'AKIA',
    'xoxb-',
    'eyJ',
    '.',
    '@',
    '://',
    'https',
    '/home/',
    '/Users/',
    'C:\\Users\\',
    'C:/Users/',
    '/',
    '~',
    'a',
    '0',
    '-',
    '_',
    '[REDACTED:email]',
    '[',
    ']',
    '(',
    ')',
    ',',
    ';',
    'Traceback (most recent call last):',
    '  File "x"',
    '    at f (x.js:1:2)',
    '-----BEGIN PRIVATE KEY-----',
    '-----END PRIVATE KEY-----',
    '10.0.0.1',
    'example.com',
    'John Smith',
    'abcDEF123456789xyzABC',
    JWT,
    OPENAI,
    'null',
  ];
  function randomTexts(count: number, seed: number): string[] {
    let state = seed;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 8;
    };
    return Array.from({ length: count }, () => {
      let text = '';
      for (let n = 1 + (next() % 20); n > 0; n--) text += FRAGMENTS[next() % FRAGMENTS.length];
      return text;
    });
  }

  it.each([
    ['default kinds', undefined],
    ['all kinds', REDACTION_KINDS],
  ] as const)('sanitising twice changes nothing the second time (%s)', (_name, kinds) => {
    for (const text of corpus) {
      const once = sanitizeText(text, kinds === undefined ? {} : { kinds });
      const twice = sanitizeText(once.text, kinds === undefined ? {} : { kinds });
      expect(twice.text).toBe(once.text);
      expect(twice.changed).toBe(false);
      expect(Object.values(twice.redactions).every((n) => n === 0)).toBe(true);
    }
  });

  it('actually redacted the corpus (so the test above cannot pass vacuously)', () => {
    const unchanged = corpus.filter((t) => !sanitizeText(t, ALL_KINDS).changed);
    expect(unchanged).toEqual(['Invalid token provided; max_tokens=5; task_sk-ish; /home alone']);
  });

  it('sanitising twice changes nothing for 5 000 random mixes of fragments', () => {
    let redacted = 0;
    for (const text of randomTexts(5_000, 2024)) {
      const once = sanitizeText(text, ALL_KINDS);
      if (once.changed) redacted++;
      const twice = sanitizeText(once.text, ALL_KINDS);
      if (twice.changed) expect.fail(`not idempotent for ${JSON.stringify(text)}`);
    }
    expect(redacted).toBeGreaterThan(2_500);
  });
});

// RELIABILITY.md D3. These bounds guard against catastrophic (exponential or quadratic)
// backtracking; they are not a benchmark. 500 ms per 100 KB input is 25x the slowest family
// here and 100x most, so a slow CI machine does not fail them, but a regex that backtracks
// over the whole input at every position does.
describe('D3: adversarial input runs in bounded, linear time', () => {
  const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length));
  const families: [string, (n: number) => string][] = [
    ['one long word', (n) => 'a'.repeat(n)],
    ['only spaces', (n) => ' '.repeat(n)],
    ['only newlines', (n) => '\n'.repeat(n)],
    ['many short lines', (n) => fill('ab cd\n', n)],
    ['assignment, blank value', (n) => 'password=' + ' '.repeat(n)],
    ['assignment, open quote', (n) => 'password="' + '\\'.repeat(n)],
    ['assignment, unclosed JSON', (n) => '{"token":"' + 'a'.repeat(n)],
    ['repeated assignments', (n) => fill('a=', n)],
    ['repeated secret keys', (n) => fill('token: ', n)],
    ['hyphenated key run', (n) => fill('a-', n)],
    ['hyphenated keys, long values', (n) => fill(`${'a-'.repeat(31)}a=${'v'.repeat(1000)} `, n)],
    ['sk- and dashes', (n) => 'sk-' + '-'.repeat(n)],
    ['repeated prefixes', (n) => fill('sk-ghp_AKIAAIzaxoxb-sk_live_', n)],
    ['home and segments', (n) => '/home/' + 'a/'.repeat(n / 2)],
    ['repeated /home/', (n) => fill('/home/', n)],
    ['Windows users, spaces', (n) => 'C:\\Users\\' + 'a '.repeat(n / 2)],
    ['repeated Windows users', (n) => fill('C:\\Users\\', n)],
    ['x@ chain', (n) => fill('x@', n)],
    ['dotted local part', (n) => fill('a.', n) + '@'],
    ['dotted domain', (n) => 'x@' + 'a.'.repeat(n / 2)],
    ['"  at " run', (n) => fill('  at ', n)],
    ['many frame lines', (n) => fill('    at f (x.js:1:2)\n', n)],
    ['one huge frame line', (n) => '    at ' + 'a:1'.repeat(n / 3)],
    ['Traceback headers', (n) => fill('Traceback (most recent call last):\n', n)],
    [
      'Traceback body',
      (n) => 'Traceback (most recent call last):\n' + '  File "x"\n'.repeat(n / 11),
    ],
    ['PEM headers without END', (n) => fill('-----BEGIN RSA PRIVATE KEY-----', n)],
    ['PEM pairs', (n) => fill('-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----', n)],
    ['BEGIN fragments', (n) => fill('-----BEGIN ', n)],
    ['JWT prefix and run', (n) => 'eyJ' + 'a'.repeat(n)],
    ['JWT fragments', (n) => fill('eyJhbGc.eyJ', n)],
    ['scheme and colons', (n) => 'https://' + 'a:'.repeat(n / 2)],
    ['repeated schemes', (n) => fill('a://a:', n)],
    ['URL without @', (n) => 'http://u:' + 'p'.repeat(n)],
    ['Bearer run', (n) => fill('Bearer ', n)],
    ['Bearer and long token', (n) => 'Bearer ' + 'a'.repeat(n)],
    ['dotted digits', (n) => fill('1.', n)],
    ['many IPs', (n) => fill('10.1.1.1 ', n)],
    [
      'every family, short lines',
      (n) =>
        fill(
          'password=x sk-abc a@b.co /home/u/ C:\\Users\\u eyJa.eyJb. https://u:p@ Bearer 1.2.3.4\n' +
            '    at f (x.js:1:2)\nTraceback (most recent call last):\n  File "y"\n',
          n,
        ),
    ],
  ];

  const timeMs = (text: string): number => {
    const start = performance.now();
    sanitizeText(text, ALL_KINDS);
    return performance.now() - start;
  };

  it.each(families)('%s: 100 KB finishes under 500 ms', (_name, build) => {
    const text = build(100_000);
    expect(text.length).toBeGreaterThanOrEqual(95_000);
    expect(timeMs(text)).toBeLessThan(500);
  });

  it('doubling the input (50 KB -> 100 KB) at most roughly doubles the time (ratio < 4)', () => {
    const small = families.map(([, build]) => build(50_000));
    const large = families.map(([, build]) => build(100_000));
    for (const text of [...small, ...large]) timeMs(text); // warm up the JIT
    // Best of 5, alternating sizes so that load on the machine hits both alike.
    let smallMs = Infinity;
    let largeMs = Infinity;
    for (let round = 0; round < 5; round++) {
      smallMs = Math.min(
        smallMs,
        small.reduce((sum, text) => sum + timeMs(text), 0),
      );
      largeMs = Math.min(
        largeMs,
        large.reduce((sum, text) => sum + timeMs(text), 0),
      );
    }
    expect(
      largeMs / smallMs,
      `50 KB: ${smallMs.toFixed(1)} ms, 100 KB: ${largeMs.toFixed(1)} ms`,
    ).toBeLessThan(4);
  });
});
