// What a process costs, read from /proc (Linux): CPU time for "CPU per request" figures and
// resident memory for the RSS ones. Reads of a process that has gone answer NaN, never throw.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 almost everywhere). */
let clockTicks: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time of a process so far, in ms (from /proc/<pid>/stat); NaN when it cannot be read. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** VmRSS of a process in MiB (from /proc/<pid>/status); NaN when it cannot be read. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** A process's resident memory split as /proc/<pid>/status reports it, in MiB (NaN when it cannot be read). */
export interface ResidentParts {
  /** Anonymous memory: the JS heap, JIT and wasm code, malloc'd native memory (private to the process). */
  readonly anon: number;
  /** Pages of mapped files: the node binary and shared libraries such as onnxruntime's (shared with every process mapping them). */
  readonly file: number;
}

export function residentPartsMiB(pid: number | undefined): ResidentParts {
  const missing = { anon: Number.NaN, file: Number.NaN };
  if (pid === undefined) return missing;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return missing;
  }
}
