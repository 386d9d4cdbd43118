/**
 * `open-app-mesh ca show|rotate`: the mesh CA's operations, run against the same CA store flags
 * as the control plane (its parsing and store construction are reused, so both read one store the
 * same way). Running control planes pick a rotation up when they next re-read the store.
 */
import { X509Certificate } from 'node:crypto';
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { MeshCa } from './identity/ca';
import { RotationPendingError } from './identity/ca-rotation';
import { type CaMaterial, CaStoreConflictError } from './identity/ca-store';
import { caStoreOf, OPTIONS, parseTrust, signingCaSourceOf, UsageError } from './main';

export const CA_USAGE = `Usage: open-app-mesh ca <show | rotate --generation <n> [--now]> [CA store flags]

Commands:
  show                        the stored generation, and each certificate of the trust bundle with
                              its not-after date: the one that signs, a pending one and when it
                              starts signing, retired ones and until when they stay trusted, and an
                              ACM Private CA's certificates
  rotate --generation <n>     a new signing CA (a new root, or with --ca-acm-pca-arn a new key the
                              Private CA certifies), pending: in the trust bundle at once, it starts
                              signing by itself one leaf lifetime + clock skew later (about 24 h),
                              when every workload has renewed and trusts it; the one it replaces
                              stays in the trust bundle until every leaf it signed has expired.
                              Refused while another rotation is pending, and unless the store still
                              holds generation <n>, the one \`ca show\` printed, so two operators
                              cannot rotate twice by accident. A store whose CA an ACM Private CA
                              certifies is rotated only with --ca-acm-pca-arn, or with --own-root
                              to leave the Private CA for a root made here
  rotate ... --now            the new CA signs at once (a leaked key; drops a pending one): until
                              they renew (up to half a leaf lifetime), workloads trust only the old
                              root and refuse peers that already hold a leaf of the new one

CA store flags, as the control plane's (open-app-mesh control-plane --help):
  --ca-dir <dir>, --ca-secret-arn <arn> [--ca-bundle-secret-arn <arn>], and the other --ca-* store flags
  --ca-acm-pca-arn <arn>      rotate to a signing CA certified by this ACM Private CA
  --trust-domain <name>       named in a new CA's subject (default open-app-mesh.internal)
  --region <region>           AWS region of the secrets and the Private CA (default: each ARN's)

Control planes re-read the store every 5 minutes; workloads get the new bundle at their next renewal.
`;

/** The control plane's flags that say where the CA is, plus this command's own. */
const OWN_OPTIONS = {
  'generation': { type: 'string' },
  'own-root': { type: 'boolean' },
  'now': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} satisfies NonNullable<ParseArgsConfig['options']>;
const STORE_OPTIONS = Object.fromEntries(Object.entries(OPTIONS)
  .filter(([name]) => (name.startsWith('ca-') && name !== 'ca-create') || name === 'trust-domain' || name === 'region'));

/** Runs `ca <subcommand>`; returns the exit code: 0 done, 1 refused or failed, 2 usage. */
export async function runCaCommand(argv: readonly string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  const err = (text: string) => process.stderr.write(`open-app-mesh ca: ${text}\n`);
  let parsed;
  try {
    parsed = nodeParseArgs({ args: [...argv], options: { ...STORE_OPTIONS, ...OWN_OPTIONS }, strict: true, allowPositionals: true });
  } catch (error) {
    err(`${(error as Error).message}\n\n${CA_USAGE}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    out(CA_USAGE);
    return 0;
  }
  const [command, ...extra] = parsed.positionals;
  if ((command !== 'show' && command !== 'rotate') || extra.length > 0) {
    err(`${command === undefined ? 'give show or rotate' : `unknown command "${[command, ...extra].join(' ')}"`}\n\n${CA_USAGE}`);
    return 2;
  }
  let trust;
  let expected: number | undefined;
  try {
    trust = parseTrust((name) => values[name] as string | undefined);
    if (command === 'rotate') expected = generationFlag(values.generation as string | undefined);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`${error.message}\n\n${CA_USAGE}`);
    return 2;
  }
  const region = values.region as string | undefined;
  let flag = '';
  try {
    const located = caStoreOf(trust, region);
    const store = located.store;
    flag = located.flag;
    if (!(await store.load())) {
      err(`${flag}: the CA store holds no CA yet (the first control plane to start creates one)`);
      return 1;
    }
    const signingCaSource = command === 'rotate' ? signingCaSourceOf(trust, region) : undefined;
    const ca = await MeshCa.open({ store, trustDomain: trust.trustDomain, createIfMissing: false, ...(signingCaSource ? { signingCaSource } : {}) });
    if (command === 'show') {
      out(describeMaterial(ca.materialNow(), store.description));
      return 0;
    }
    if (ca.materialNow().anchors?.length && trust.caAcmPcaArn === undefined && !values['own-root']) {
      // Forgetting the flag must not quietly take the mesh off its Private CA.
      err('refused: an ACM Private CA certifies this store\'s CA: give --ca-acm-pca-arn to rotate under it, '
        + 'or --own-root to move the mesh to a root made here');
      return 1;
    }
    if (ca.generation !== expected) {
      err(`refused: the CA store holds generation ${ca.generation}, not ${expected}: it has changed since you looked `
        + '(another rotation?). Run `open-app-mesh ca show` and decide again');
      return 1;
    }
    // The store's own check (stored generation + 1) refuses a rotation that raced this one since.
    if (values.now) {
      await ca.rotateRoot();
      out(`rotated now: generation ${expected} -> ${ca.generation}\n${describeMaterial(ca.materialNow(), store.description)}`
        + 'Control planes sign with the new CA after their next re-read of the store (within 5 minutes). Until a workload renews '
        + '(up to half a leaf lifetime), it trusts only the old root and refuses peers that hold a leaf of the new one.\n');
      return 0;
    }
    const activatesAt = (await ca.prepareRootRotation()).toISOString();
    out(`prepared: generation ${expected} -> ${ca.generation}\n${describeMaterial(ca.materialNow(), store.description)}`
      + `The next CA is in the trust bundle as soon as control planes re-read the store (within 5 minutes), and starts signing at ${activatesAt}, `
      + 'by itself on every control plane, when every workload has renewed and trusts it. Nothing else to do.\n');
    return 0;
  } catch (error) {
    if (error instanceof CaStoreConflictError) {
      err(`refused: ${error.message}. Another rotation won; run \`open-app-mesh ca show\` and decide again`);
      return 1;
    }
    if (error instanceof RotationPendingError) {
      err(`refused: a rotation is already under way: the next CA starts signing at ${error.activatesAt}. Rotate again after that, `
        + 'or with --now if a key leaked (workloads that have not renewed since then refuse peers with new leaves)');
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    err(message.startsWith('--') || flag === '' ? message : `${flag}: ${message}`);
    return 1;
  }
}

function generationFlag(raw: string | undefined): number {
  if (raw === undefined) throw new UsageError('rotate needs --generation <n>: the generation `open-app-mesh ca show` printed');
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new UsageError(`--generation must be a whole number, got "${raw}"`);
  return n;
}

/** One line per certificate of the bundle: its role, subject, not-after and fingerprint. No key is ever printed. */
export function describeMaterial(material: CaMaterial, where: string, now = Date.now()): string {
  const line = (role: string, pem: string, extra = ''): string => {
    const certificate = new X509Certificate(pem);
    const subject = certificate.subject.split('\n').join(', ');
    return `  ${role.padEnd(8)} ${subject}\n           not after ${new Date(certificate.validTo).toISOString()}${extra}`
      + `, sha256 ${certificate.fingerprint256}\n`;
  };
  const pending = material.pending;
  return `CA store ${where}: generation ${material.generation}\n`
    + line('signs', material.active.certificatePem)
    + (pending ? line('pending', pending.certificatePem, `, signs from ${pending.activatesAt}`) : '')
    + (pending?.anchors ?? []).filter((pem) => !(material.anchors ?? []).includes(pem)).map((pem) => line('above', pem, ' (ACM Private CA, for the pending CA)')).join('')
    + material.retired.map((r) => line('retired', r.certificatePem,
      Date.parse(r.trustedUntil) > now ? `, trusted until ${r.trustedUntil}` : `, no longer trusted (since ${r.trustedUntil})`)).join('')
    + (material.anchors ?? []).map((pem) => line('above', pem, ' (ACM Private CA)')).join('');
}
