import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Extensions of the text files worth compressing; images and fonts are compressed already. */
const TEXT = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.webmanifest']);

/** The brotli (quality 11) and gzip (level 9) encodings of `data`, each only if smaller. */
export function encodings(data: Buffer): { br?: Buffer; gz?: Buffer } {
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  return {
    ...(br.length < data.length ? { br } : {}),
    ...(gz.length < data.length ? { gz } : {}),
  };
}

/** Writes `<file>.br` and `<file>.gz` beside every text file under `dir`; returns their paths. */
export function precompressDir(dir: string): string[] {
  const written: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !TEXT.has(extname(entry.name))) continue;
    const path = join(entry.parentPath, entry.name);
    for (const [suffix, packed] of Object.entries(encodings(readFileSync(path)))) {
      writeFileSync(`${path}.${suffix}`, packed);
      written.push(`${path}.${suffix}`);
    }
  }
  return written;
}

/**
 * Compresses the build's text files once, at build time, so the binary that embeds them sends
 * `Content-Encoding: br` or `gzip` without compressing anything itself.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'sundial-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}
