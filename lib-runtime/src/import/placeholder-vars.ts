/**
 * `$VAR` and `${VAR}` placeholders, filled from `--var K=V`: how users kept account ids,
 * environments and domains out of their App Mesh input files (envsubst, shell heredocs).
 */

const BRACED = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const BARE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

export interface VarProblem {
  readonly name: string;
  /** Index of the placeholder in the text. */
  readonly index: number;
}

/**
 * Fills `${VAR}` (and, with `bare`, `$VAR`) in `text` from `vars`. A placeholder with no value is
 * left as written and handed to `onMissing`.
 */
export function fillVars(text: string, vars: Readonly<Record<string, string>>, bare: boolean, onMissing: (problem: VarProblem) => void): string {
  const lookup = (whole: string, name: string, index: number) => {
    const value = vars[name];
    if (value !== undefined) return value;
    onMissing({ name, index });
    return whole;
  };
  const braced = text.replace(BRACED, lookup);
  return bare ? braced.replace(BARE, lookup) : braced;
}

/** 1-based line number of `index` in `text`. */
export function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}
