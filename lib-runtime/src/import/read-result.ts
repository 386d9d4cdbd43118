import type { ImportedResource } from './imported-resource';

/** A value the input could not give, stood in for by a named placeholder the user must replace. */
export interface Placeholder {
  /** The text written into the spec in place of the value. */
  readonly value: string;
  /** What the value should have been, e.g. `Fn::GetAtt CatalogDiscovery.Name (AWS::ServiceDiscovery::Service)`. */
  readonly meaning: string;
  readonly file: string;
  /** The resource and field that hold it. */
  readonly where: string;
}

/** What a reader made of one input file. */
export interface ReadResult {
  readonly file: string;
  /** `cfn`, `cli` or `k8s`. */
  readonly format: InputFormat;
  readonly resources: ImportedResource[];
  /** Resources of the file that are not App Mesh's, counted by type. */
  readonly ignored: Record<string, number>;
  readonly placeholders: Placeholder[];
}

/** The input formats `--format` names. */
export type InputFormat = 'cfn' | 'cli' | 'k8s';

/** Counts `type` once more in `ignored`. */
export function countIgnored(ignored: Record<string, number>, type: string): void {
  ignored[type] = (ignored[type] ?? 0) + 1;
}
