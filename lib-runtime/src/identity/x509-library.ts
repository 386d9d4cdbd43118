/**
 * The one place @peculiar/x509 is loaded: after the Reflect metadata polyfill its dependency
 * injection (tsyringe) needs, and with
 * Node's WebCrypto as its crypto provider. Chosen over node-forge (no EC) and bare pkijs (more
 * code for the same result): it builds and parses certificates and CSRs with EC and RSA keys.
 */
import 'reflect-metadata';
import { webcrypto } from 'crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509, webcrypto };
