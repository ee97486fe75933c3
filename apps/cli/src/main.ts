#!/usr/bin/env node
// `strata`: the registry and feature-store CLI. Unlike the services it starts no OpenTelemetry SDK: a short-lived
// command has no spans worth exporting, and start-up time matters in CI loops.
import { type CliIo } from './context';
import { runCli } from './program';
import { connectRegistry } from './registry-client';

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

void runCli(process.argv.slice(2), { io, connect: connectRegistry }).then((code) => {
  process.exitCode = code;
  // Every channel is closed by now; this only guards against a handle left open by a bug.
  setTimeout(() => process.exit(code), 2_000).unref();
});
