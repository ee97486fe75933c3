import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';

const SOURCE_DIR = join(__dirname, '..', '..', 'src');

/**
 * Compiles this library's sources (not its specs) to CommonJS under `outDir`, so that a plain
 * `node` child process can require it. Returns the path of the compiled entry point.
 */
export async function compileLibrary(outDir: string): Promise<string> {
  const entries = await readdir(SOURCE_DIR, { recursive: true, withFileTypes: true });
  const sources = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'));
  for (const entry of sources) {
    const source = join(entry.parentPath, entry.name);
    const { code } = await transformFile(source, {
      swcrc: false,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    });
    const target = join(outDir, relative(SOURCE_DIR, source)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }
  return join(outDir, 'index.js');
}
