import { xdsBootstrap } from './xds-bootstrap';
import { SERVER_LISTENER_NAME_TEMPLATE } from '../../src/translate/proxyless-server';
import { agentCertificateProviders } from '../translate/mesh-certificates';

/**
 * A mesh application's bootstrap: the smallest one, plus the server listener name template the
 * control plane names proxyless server Listeners by, and certificate provider `default` on the
 * files an agent writes to `agentDir`.
 */
export function meshAppBootstrap(xdsPort: number, nodeId: string, agentDir: string): string {
  return xdsBootstrap(xdsPort, nodeId, {
    extra: {
      server_listener_resource_name_template: SERVER_LISTENER_NAME_TEMPLATE,
      certificate_providers: agentCertificateProviders(agentDir),
    },
  });
}
