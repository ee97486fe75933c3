import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value of a background thread: the lowest priority (Linux: 19). */
export const BACKGROUND_NICE = 19;

/**
 * Lowers the calling thread's scheduling priority to {@link BACKGROUND_NICE}, so that on a busy
 * machine the kernel runs the process's other threads (the serving event loop) before it. Linux
 * only: a thread's ID comes from `/proc/thread-self`, and `setpriority` on a thread ID affects that
 * thread alone. Anywhere else, or when not allowed, the thread keeps its priority.
 *
 * @returns the thread's nice value afterwards, or `undefined` when it could not be read or set.
 */
export function lowerThreadPriority(): number | undefined {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, BACKGROUND_NICE);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
