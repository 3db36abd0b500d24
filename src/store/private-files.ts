// The data directory holds what customers said (hook bodies, summaries): it is readable by the bridge's user
// alone. Modes are set explicitly with chmod, so they do not depend on the process's umask. A directory the
// bridge creates is made 0700; one that already exists is the operator's (a mount point, a shared parent) and is
// left as it is, but a mode that lets group or others in is reported so it can be fixed.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface PrivateDir {
  readonly path: string;
  readonly created: boolean;
  /** The directory's permission bits as found (or set). */
  readonly mode: number;
  /** Group or others may enter or read it: the operator should tighten it (chmod 700). */
  readonly open: boolean;
}

export function ensurePrivateDir(path: string): PrivateDir {
  const created = !existsSync(path);
  if (created) {
    mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(path, PRIVATE_DIR_MODE);
  }
  const mode = statSync(path).mode & 0o777;
  return { path, created, mode, open: (mode & 0o077) !== 0 };
}

/** Creates `path` (and its directory) 0600, or tightens an existing file to 0600. */
export function ensurePrivateFile(path: string): void {
  ensurePrivateDir(dirname(path));
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Tightens a file SQLite (or anything else) may have created beside the store: -wal, -shm. */
export function tightenIfPresent(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch {
    // not there (yet): SQLite creates -wal and -shm with the database file's mode anyway
  }
}
