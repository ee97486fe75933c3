import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readAll } from '../args';
import { type CliDeps } from '../context';
import { UsageError } from '../errors';

/** SHA-256 (hex) of a token: the form REGISTRY_TOKENS stores it in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token in stdin's text: one line, without its line ending. */
export function tokenFromInput(text: string): string {
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new UsageError('no token on stdin: e.g. `printf %s "$TOKEN" | strata tokens hash`');
  if (/[\r\n]/.test(token)) throw new UsageError('stdin holds more than one line; give exactly one token');
  return token;
}

export function registerTokenCommands(program: Command, deps: CliDeps): void {
  const tokens = program.command('tokens').description('registry tokens');

  tokens
    .command('hash')
    .description("read a token on stdin and print its sha256, the form registry-service's REGISTRY_TOKENS and the gateway's GATEWAY_ADMIN_TOKENS hold")
    .option('--subject <name>', 'print a whole REGISTRY_TOKENS / GATEWAY_ADMIN_TOKENS entry subject:role:sha256 (with --role)')
    .option('--role <role>', 'ci or admin (with --subject)')
    .addHelpText('after', '\nExample: printf %s "$CI_TOKEN" | strata tokens hash --subject ci-bot --role ci\nThe token itself is never printed.')
    .action(async (options: { subject?: string; role?: string }, command: Command) => {
      if ((options.subject === undefined) !== (options.role === undefined)) throw new UsageError('--subject and --role go together');
      if (options.role !== undefined && options.role !== 'ci' && options.role !== 'admin') throw new UsageError(`--role: expected ci or admin, got "${options.role}"`);
      const hash = hashToken(tokenFromInput(await readAll(deps.io.stdin)));
      const line = options.subject === undefined ? hash : `${options.subject}:${options.role}:${hash}`;
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      deps.io.stdout.write(json ? `${JSON.stringify(options.subject === undefined ? { sha256: hash } : { sha256: hash, entry: line })}\n` : `${line}\n`);
    });
}
