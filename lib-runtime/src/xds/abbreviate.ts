/**
 * Client-supplied text (a node id, a NACK message) shortened before it goes into a status
 * message, an event or a record that is kept. A gRPC status message travels in an HTTP/2
 * trailer, and a trailer larger than the client's header list limit is dropped: the client never
 * learns why its stream ended and waits on a dead stream.
 */

/** Characters of a node id that messages and events carry. */
export const NODE_ID_CHARS = 128;

/** `text` if it has at most `keep` characters, else its first `keep` and the full length: "abc… (102400 characters)". */
export function abbreviate(text: string, keep = NODE_ID_CHARS): string {
  if (text.length <= keep) return text;
  // Do not cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(keep - 1)) ? keep - 1 : keep;
  return `${text.slice(0, cut)}… (${text.length} characters)`;
}
