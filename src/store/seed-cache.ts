import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { packageRoot } from '../kernel/paths.js';

/**
 * Generated seed data kept on disk (node_modules/.cache/guuru-emulator), keyed by everything the
 * generator reads. Generation is pure, so a hit is byte-identical to a fresh run; it only spares a
 * test file's emulator the ~60 ms of generating. Every failure (read-only disk; a corrupt entry, which
 * the store finds when it parses it) falls back to generating: the cache can never change behaviour.
 */
export class SeedCache {
  private readonly dir: string | undefined;

  constructor(enabled: boolean) {
    this.dir = enabled ? cacheDir() : undefined;
  }

  key(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  }

  read(key: string): string | undefined {
    if (!this.dir) return undefined;
    try {
      return readFileSync(join(this.dir, `${key}.json`), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Keeps the folder to MAX_FILES entries: created tenants with new seeds would otherwise fill the disk. */
  private prune(dir: string): void {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length <= MAX_FILES) return;
    const byAge = files.map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.at - b.at);
    for (const { f } of byAge.slice(0, files.length - MAX_FILES)) rmSync(join(dir, f), { force: true });
  }

  write(key: string, text: string): void {
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const temp = join(this.dir, `${key}.${process.pid}.tmp`);
      writeFileSync(temp, text);
      renameSync(temp, join(this.dir, `${key}.json`));
      this.prune(this.dir);
    } catch {
      // Not writable (a read-only image, say): generating each time is only slower.
    }
  }
}

/** Files the disk cache keeps (about 0.7 MB each); the least recently written go first. */
const MAX_FILES = 200;

function cacheDir(): string {
  const root = packageRoot();
  const marker = `${sep}node_modules${sep}`;
  const at = root.indexOf(marker);
  const project = at >= 0 ? root.slice(0, at) : root;
  return join(project, 'node_modules', '.cache', 'guuru-emulator');
}
