import { IpPreference } from './types';

/**
 * Picks the addresses to use from what a lookup returned, following App Mesh's
 * `ipPreference`: *_ONLY keeps one family, *_PREFERRED uses that family when present and
 * falls back to the other. When unset, `unsetMeans` applies: App Mesh rendered DNS nodes
 * with Envoy's AUTO family (IPv6 first) and used `AWS_INSTANCE_IPV4` for Cloud Map.
 */
export function selectAddresses(
  ipv4: readonly string[],
  ipv6: readonly string[],
  preference: IpPreference | undefined,
  unsetMeans: IpPreference,
): string[] {
  switch (preference ?? unsetMeans) {
    case 'IPv4_ONLY': return [...ipv4];
    case 'IPv6_ONLY': return [...ipv6];
    case 'IPv6_PREFERRED': return ipv6.length > 0 ? [...ipv6] : [...ipv4];
    case 'IPv4_PREFERRED':
    default:
      return ipv4.length > 0 ? [...ipv4] : [...ipv6];
  }
}

/** Which families a lookup has to ask for at all. */
export function familiesToQuery(preference: IpPreference | undefined): { v4: boolean; v6: boolean } {
  return { v4: preference !== 'IPv6_ONLY', v6: preference !== 'IPv4_ONLY' };
}
