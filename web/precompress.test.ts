import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodings, precompressDir } from './precompress';

const script = Buffer.from(
  Array.from({ length: 3000 }, (_, i) => `export const value${i} = () => render("item-${i}", ${i * 7});\n`).join(''),
);

describe('precompress', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('encodes text as brotli and gzip that decode to the original, brotli the smaller', () => {
    const { br, gz } = encodings(script);
    expect(brotliDecompressSync(br!).equals(script)).toBe(true);
    expect(gunzipSync(gz!).equals(script)).toBe(true);
    expect(br!.length).toBeLessThan(gz!.length);
    expect(gz!.length * 5).toBeLessThan(script.length);
  });

  it('leaves out an encoding that would not make the file smaller', () => {
    expect(encodings(Buffer.from('x'))).toEqual({});
  });

  it('writes both encodings beside every text file of the build, and none beside images', () => {
    dir = mkdtempSync(join(tmpdir(), 'precompress-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>'.repeat(40));
    writeFileSync(join(dir, 'assets', 'index-Bx1.js'), script);
    writeFileSync(join(dir, 'assets', 'logo-C2.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));

    precompressDir(dir);

    expect(readdirSync(join(dir, 'assets')).sort()).toEqual([
      'index-Bx1.js',
      'index-Bx1.js.br',
      'index-Bx1.js.gz',
      'logo-C2.png',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['assets', 'index.html', 'index.html.br', 'index.html.gz']);
    const br = readFileSync(join(dir, 'assets', 'index-Bx1.js.br'));
    expect(brotliDecompressSync(br).equals(script)).toBe(true);
  });
});
