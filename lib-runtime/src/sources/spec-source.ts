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
 * Where specs come from. Delivers every *new* valid spec once; rejects invalid ones without
 * dropping the current one.
 */
export interface SpecSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  current(): SpecSnapshot | undefined;
  onSpec(listener: (snapshot: SpecSnapshot) => void): () => void;
  onRejected(listener: (rejection: SpecRejection) => void): () => void;
}
