// Whether a process id names a running process (ours or another user's): the one test every lock and
// temporary-file sweep beside a store uses to tell a live owner from a dead one.

/** True when `pid` is a single running process (0 and negatives name process groups: false). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
