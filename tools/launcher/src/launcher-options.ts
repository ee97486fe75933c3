import { parseArgs } from 'node:util';

/** What `npm start -- <options>` asked for, validated. */
export interface LauncherOptions {
  readonly reset: boolean;
  readonly dataDir: string;
  /** Every port moves to portBase+0..10; undefined: the default ports. */
  readonly portBase: number | undefined;
  readonly logLevel: string;
  readonly noColor: boolean;
  readonly readyTimeoutMs: number;
  /** False with --no-quickstart: only the services, no flights pipeline, no example calls. */
  readonly quickstart: boolean;
}

/** The command line, read: run with these options, print the help, or refuse with one line (exit 2). */
export type ParsedCommandLine =
  | { readonly kind: 'run'; readonly options: LauncherOptions }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

export interface LauncherDefaults {
  readonly dataDir: string;
  readonly readyTimeoutSeconds: number;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

// One table for the parser and the help, so the help lists every option there is.
const OPTIONS = {
  reset: { type: 'boolean', help: 'wipe the data folder first, then start from nothing' },
  'no-quickstart': { type: 'boolean', help: 'only start the services: no flights pipeline, no example calls' },
  'ready-timeout': { type: 'string', value: '<seconds>', help: 'how long a service may take to report SERVING (default {readyTimeout})' },
  'port-base': { type: 'string', value: '<n>', help: 'move every port to n, n+1, … n+10 (default: the fixed ports in the README)' },
  'data-dir': { type: 'string', value: '<path>', help: 'databases, logs and tokens (default {dataDir})' },
  'log-level': { type: 'string', value: '<level>', help: `lowest level the services log: ${LOG_LEVELS.join(', ')} (default info)` },
  'no-color': { type: 'boolean', help: 'no ANSI colours on the console (also NO_COLOR=1)' },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
} as const satisfies Record<string, { type: 'boolean' | 'string'; short?: string; value?: string; help: string }>;

type OptionName = keyof typeof OPTIONS;

/** The text of `npm start -- --help`. */
export function helpText(defaults: LauncherDefaults): string {
  const rows = Object.entries(OPTIONS).map(([name, option]) => {
    const flag = `${'short' in option ? `-${option.short}, ` : ''}--${name}${'value' in option ? ` ${option.value}` : ''}`;
    const help = option.help.replace('{readyTimeout}', `${defaults.readyTimeoutSeconds} s`).replace('{dataDir}', defaults.dataDir);
    return `  ${flag.padEnd(28)}${help}`;
  });
  return [
    'Usage: npm start -- [options]',
    '',
    'Runs the whole Strata platform on this machine: the five services as separate processes on',
    'embedded databases, then the flights quickstart to a first prediction. A service that exits',
    'on its own is restarted (after 1 s, 2 s, 4 s …; given up on after 5 restarts in 10 minutes)',
    'while the others keep serving. Ctrl-C stops everything.',
    '',
    'Options:',
    ...rows,
    '',
  ].join('\n');
}

function refuse(message: string): ParsedCommandLine {
  return { kind: 'error', message: `strata start: ${message} (see --help)` };
}

/** Reads the launcher's command line (`process.argv.slice(2)`); never throws. */
export function parseCommandLine(argv: readonly string[], defaults: LauncherDefaults): ParsedCommandLine {
  const config = Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => [name, { type: option.type, ...('short' in option ? { short: option.short } : {}) }]));
  // Not strict: unknown options come back as tokens, so the refusal names them in one line of ours.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<OptionName, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') return refuse(`unexpected argument '${token.value}'`);
    if (token.kind !== 'option') continue;
    if (!(token.name in OPTIONS)) return refuse(`unknown option '${token.rawName}'`);
    const name = token.name as OptionName;
    if (OPTIONS[name].type === 'boolean') {
      if (token.value !== undefined) return refuse(`option '${token.rawName}' takes no value`);
      values.set(name, true);
    } else {
      if (token.value === undefined || (token.inlineValue !== true && token.value.startsWith('-') && Number.isNaN(Number(token.value)))) return refuse(`option '${token.rawName}' needs a value`);
      values.set(name, token.value);
    }
  }
  if (values.has('help')) return { kind: 'help', text: helpText(defaults) };

  const text = (name: OptionName): string | undefined => {
    const value = values.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const readyTimeout = text('ready-timeout');
  const readyTimeoutSeconds = readyTimeout === undefined ? defaults.readyTimeoutSeconds : Number(readyTimeout);
  if (readyTimeout !== undefined && (readyTimeout.trim() === '' || !Number.isFinite(readyTimeoutSeconds) || readyTimeoutSeconds <= 0)) {
    return refuse(`--ready-timeout expects a number of seconds > 0, got '${readyTimeout}'`);
  }
  const portBaseText = text('port-base');
  const portBase = portBaseText === undefined ? undefined : Number(portBaseText);
  if (portBase !== undefined && (portBaseText?.trim() === '' || !Number.isInteger(portBase) || portBase < 1 || portBase > 65_525)) {
    return refuse(`--port-base expects a port from 1 to 65525 (it uses n … n+10), got '${String(portBaseText)}'`);
  }
  const logLevel = text('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) return refuse(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  const dataDir = text('data-dir') ?? defaults.dataDir;
  if (dataDir.trim() === '') return refuse(`--data-dir expects a folder, got ''`);

  return {
    kind: 'run',
    options: {
      reset: values.has('reset'),
      dataDir,
      portBase,
      logLevel,
      noColor: values.has('no-color'),
      readyTimeoutMs: readyTimeoutSeconds * 1000,
      quickstart: !values.has('no-quickstart'),
    },
  };
}
