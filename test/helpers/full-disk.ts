// A place where writes fail with ENOSPC, for tests of what a full disk leaves behind. As root (and where the
// kernel allows it) a real tmpfs of a few KiB is mounted; otherwise a file is made a symlink to /dev/full,
// whose every write fails with ENOSPC. Either way the test runs: it never skips.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FullDisk {
  /** A directory on the small filesystem (tmpfs), or null when none could be mounted. */
  dir: string | null;
  /** Makes writes to `file` fail with ENOSPC even without a tmpfs (a symlink to /dev/full). */
  poison(file: string): void;
  cleanup(): void;
}

export function fullDisk(sizeKiB: number): FullDisk {
  const mountPoint = mkdtempSync(join(tmpdir(), 'lineage-full-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', mountPoint], {
      stdio: 'ignore',
    });
    mounted = true;
  } catch {
    // not root, or no mount in this container: /dev/full only
  }
  return {
    dir: mounted ? mountPoint : null,
    poison: (file) => symlinkSync('/dev/full', file),
    cleanup: () => {
      if (mounted) execFileSync('umount', [mountPoint], { stdio: 'ignore' });
      rmSync(mountPoint, { recursive: true, force: true });
    },
  };
}
