/**
 * The spec size limit. A real mesh's spec is a few MB at most; a 50 MB one peaked at 580 MiB RSS
 * while parsed, so bigger input is refused before it is read (or parsed) in full.
 */
export const DEFAULT_MAX_SPEC_BYTES = 32 * 1024 * 1024;

/** Input over a byte limit; `size` is known when the length was announced (stat, Content-Length). */
export class SizeLimitError extends Error {
  constructor(readonly limit: number, readonly size?: number) {
    super(size !== undefined
      ? `${size} bytes, over the limit of ${limit} bytes`
      : `over the limit of ${limit} bytes`);
    this.name = 'SizeLimitError';
  }
}

/** The rejection reason for a spec over the limit: its size and the flag that sets the limit. */
export function specTooLargeReason(error: SizeLimitError): string {
  return `spec is ${error.message} (--max-spec-bytes)`;
}
