import { type LauncherDefaults, parseCommandLine } from './launcher-options';

const DEFAULTS: LauncherDefaults = { dataDir: '/repo/.data', readyTimeoutSeconds: 60 };
const parse = (...argv: string[]) => parseCommandLine(argv, DEFAULTS);

describe(parseCommandLine.name, () => {
  it('gives the defaults when there are no options', () => {
    expect(parse()).toEqual({
      kind: 'run',
      options: { reset: false, dataDir: '/repo/.data', portBase: undefined, logLevel: 'info', noColor: false, readyTimeoutMs: 60_000, quickstart: true },
    });
  });

  it('reads every option', () => {
    expect(parse('--reset', '--no-quickstart', '--ready-timeout', '2.5', '--port-base=20000', '--data-dir', '/tmp/s', '--log-level', 'debug', '--no-color')).toEqual({
      kind: 'run',
      options: { reset: true, dataDir: '/tmp/s', portBase: 20_000, logLevel: 'debug', noColor: true, readyTimeoutMs: 2_500, quickstart: false },
    });
  });

  it.each([[['--help']], [['-h']], [['--reset', '--help']]])('prints a help naming every option for %j', (argv) => {
    const parsed = parse(...argv);
    expect(parsed.kind).toBe('help');
    const text = parsed.kind === 'help' ? parsed.text : '';
    for (const option of ['--reset', '--no-quickstart', '--ready-timeout <seconds>', '--port-base <n>', '--data-dir <path>', '--log-level <level>', '--no-color', '-h, --help']) {
      expect(text).toContain(option);
    }
    expect(text).toContain('(default 60 s)');
    expect(text).toContain('(default /repo/.data)');
  });

  it.each([
    [['--bogus'], "strata start: unknown option '--bogus' (see --help)"],
    [['-x'], "strata start: unknown option '-x' (see --help)"],
    [['start'], "strata start: unexpected argument 'start' (see --help)"],
    [['--reset=yes'], "strata start: option '--reset' takes no value (see --help)"],
    [['--data-dir'], "strata start: option '--data-dir' needs a value (see --help)"],
    [['--data-dir', '--reset'], "strata start: option '--data-dir' needs a value (see --help)"],
    [['--ready-timeout', 'abc'], "strata start: --ready-timeout expects a number of seconds > 0, got 'abc' (see --help)"],
    [['--ready-timeout', '-5'], "strata start: --ready-timeout expects a number of seconds > 0, got '-5' (see --help)"],
    [['--ready-timeout='], "strata start: --ready-timeout expects a number of seconds > 0, got '' (see --help)"],
    [['--port-base', '1.5'], "strata start: --port-base expects a port from 1 to 65525 (it uses n … n+10), got '1.5' (see --help)"],
    [['--port-base', '65530'], "strata start: --port-base expects a port from 1 to 65525 (it uses n … n+10), got '65530' (see --help)"],
    [['--log-level', 'loud'], "strata start: --log-level expects one of trace, debug, info, warn, error, fatal, got 'loud' (see --help)"],
  ])('refuses %j in one line', (argv, message) => {
    expect(parse(...argv)).toEqual({ kind: 'error', message });
  });
});
