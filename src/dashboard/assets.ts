import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Request, RequestHandler } from 'express';
import { packagePath } from '../kernel/paths.js';

/** What scripts/build.mjs writes beside the bundles. */
export interface Manifest {
  dashboard: { js: string; css?: string; worker?: string };
  graphiql: { js: string; css?: string };
  files: Record<string, { bytes: number; gzip: number }>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip?: Buffer;
}

/**
 * The built pages (dist/dashboard): read once, kept in memory, sent gzip-compressed when the
 * client accepts it. Names carry a content hash, so browsers may cache them for good.
 */
export class DashboardAssets {
  private manifestCache: Manifest | undefined;
  private readonly cache = new Map<string, Asset | null>();

  constructor(private readonly dir = packagePath('dist', 'dashboard')) {}

  /** The manifest, or undefined when the pages were never built (`npm run build`). */
  manifest(): Manifest | undefined {
    if (this.manifestCache) return this.manifestCache;
    const file = join(this.dir, 'manifest.json');
    if (!existsSync(file)) return undefined;
    this.manifestCache = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    return this.manifestCache;
  }

  private load(name: string): Asset | undefined {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const files = this.manifest()?.files ?? {};
    // Only files the build listed: no path from a URL ever reaches the file system otherwise.
    const asset: Asset | null = Object.hasOwn(files, name)
      ? {
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          body: readFileSync(join(this.dir, name)),
          ...(existsSync(join(this.dir, `${name}.gz`)) ? { gzip: readFileSync(join(this.dir, `${name}.gz`)) } : {}),
        }
      : null;
    this.cache.set(name, asset);
    return asset ?? undefined;
  }

  /** GET /_emulator/ui/:file */
  handler(): RequestHandler {
    return (req, res, next) => {
      const asset = this.load(req.path.replace(/^\//, ''));
      if (!asset) {
        next();
        return;
      }
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (asset.gzip && acceptsGzip(req)) {
        res.setHeader('Content-Encoding', 'gzip');
        res.end(asset.gzip);
      } else {
        res.end(asset.body);
      }
    };
  }
}

const acceptsGzip = (req: Request): boolean => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
