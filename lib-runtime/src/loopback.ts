import { isIP } from 'node:net';

/**
 * Whether `host` (a name, an IP literal, or a bracketed IPv6 literal as URL.hostname gives it)
 * reaches only this machine: localhost, 127.0.0.0/8 or ::1.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}
