import * as path from 'path';
import { ImportError } from './import-error';
import { InputFormat } from './read-result';

/**
 * Which reader a file needs, from its text (`--format auto`): a CloudFormation template has
 * `Resources` (and usually `AWSTemplateFormatVersion`), controller manifests have `apiVersion` and
 * `kind`, CLI JSON has App Mesh's camelCase names (`meshName`, `virtualNode`, `virtualNodes`, …).
 */
export function detectFormat(file: string, text: string): InputFormat {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    return /"(AWSTemplateFormatVersion|Resources)"\s*:/.test(text) ? 'cfn' : 'cli';
  }
  if (/^(AWSTemplateFormatVersion|Resources)\s*:/m.test(text)) return 'cfn';
  if (/^apiVersion\s*:/m.test(text) && /^kind\s*:/m.test(text)) return 'k8s';
  const ext = path.extname(file).toLowerCase();
  throw new ImportError({ file },
    `cannot tell the format of this ${ext === '' ? '' : `${ext} `}file (no Resources section, no apiVersion/kind, not JSON); pass --format cfn|cli|k8s`);
}
