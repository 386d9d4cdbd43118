import * as path from 'node:path';
import { runGraphCommand } from '../lib-runtime/src/graph/cli';

/**
 * Draws the mesh in a spec file with the graph command (`open-app-mesh graph`), as SVG and
 * as Mermaid, next to the other demo files.
 */
export async function writeMeshPicture(specFile: string, dir: string): Promise<{ svg: string; mermaid: string }> {
  const stem = path.basename(specFile).replace(/\.json$/, '');
  const svg = path.join(dir, `${stem}.svg`);
  const mermaid = path.join(dir, `${stem}.mmd`);
  const errors: string[] = [];
  const io = { stdout: () => undefined, stderr: (text: string) => { errors.push(text); } };
  for (const [file, format] of [[svg, 'svg'], [mermaid, 'mermaid']] as const) {
    const code = await runGraphCommand([specFile, '--format', format, '--out', file], io);
    if (code !== 0) throw new Error(`graph command failed (${code}): ${errors.join('')}`);
  }
  return { svg, mermaid };
}
