import { MeshSpecDocument } from '../../../src/spec/document';

/** A validated spec as a source delivers it. */
export interface SpecSnapshot {
  readonly doc: MeshSpecDocument;
  /** Content hash (sha256 hex) of the delivered text. */
  readonly digest: string;
  /** Short, human-readable version label derived from the digest. */
  readonly version: string;
  readonly loadedAt: Date;
  /** Where it came from (file path, S3 URL, …), for logs. */
  readonly origin: string;
}

/** A spec that failed to parse or validate; the last good spec keeps being served. */
export interface SpecRejection {
  readonly digest?: string;
  readonly origin: string;
  readonly error: unknown;
  /** One line per validation issue (`path: message`), or the read error. */
  readonly reasons: string[];
}

/**
 * Receives each new valid spec. Returning exactly `false` (or throwing) says it could not apply
 * it: then it is a rejection, and not the source's "last good spec". Other results are ignored.
 */
export type SpecListener = (snapshot: SpecSnapshot) => unknown;

/**
 * Where specs come from. Delivers every *new* valid spec once; rejects invalid ones without
 * dropping the current one.
 */
export interface SpecSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  current(): SpecSnapshot | undefined;
  onSpec(listener: SpecListener): () => void;
  onRejected(listener: (rejection: SpecRejection) => void): () => void;
}
