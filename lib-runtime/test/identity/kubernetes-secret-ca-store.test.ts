/**
 * The CA root in a Kubernetes Secret, against a stand-in API server on loopback over real TLS: the
 * paths, verbs and answers of the core v1 API for Secrets and ConfigMaps (resourceVersion
 * optimistic concurrency, Status objects with reason NotFound / AlreadyExists / Conflict /
 * Forbidden / Unauthorized, Secret data in base64), bearer-token authentication.
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { HAS_OPENSSL, openssl } from './openssl';
import { MeshCa } from '../../src/identity/ca';
import { CaStoreConflictError } from '../../src/identity/ca-store';
import { KubernetesApi } from '../../src/identity/kubernetes-api';
import {
  CA_SECRET_KEY, KubernetesSecretCaStore, TRUST_BUNDLE_GENERATION_ANNOTATION, TRUST_BUNDLE_KEY,
} from '../../src/identity/kubernetes-secret-ca-store';

const TD = 'mesh.example';
const NS = 'shop';
const SECRET = { namespace: NS, name: 'shop-control-plane-ca' };
const BUNDLE = { namespace: NS, name: 'shop-control-plane-ca-bundle' };
const USER = 'system:serviceaccount:shop:shop-control-plane';

type Resource = 'secrets' | 'configmaps';

/** The core v1 API for Secrets and ConfigMaps, as the API server answers. */
class ApiServerStandIn {
  readonly objects = new Map<string, any>();
  readonly requests: Array<{ method: string; path: string }> = [];
  /** `<verb> <resource>` pairs refused with 403, as RBAC would. */
  readonly forbidden = new Set<string>();
  token = 'token-1';
  /** The next this-many GETs of a Secret are answered in pairs: two replicas read before either writes. */
  readsToPair = 0;
  private heldRead?: () => void;
  private version = 100;
  private server?: https.Server;

  constructor(private readonly tls: { key: string; cert: string }) {}

  async start(): Promise<number> {
    this.server = https.createServer(this.tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.method!, req.url!, req.headers.authorization, Buffer.concat(chunks).toString()).then(({ code, body }) => {
          res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  put(resource: Resource, namespace: string, object: any): void {
    const stored = { ...object, metadata: { ...object.metadata, namespace, resourceVersion: String(++this.version), uid: `uid-${this.version}` } };
    this.objects.set(`${resource}/${namespace}/${object.metadata.name}`, stored);
  }

  get(resource: Resource, ref: { namespace: string; name: string }): any {
    return this.objects.get(`${resource}/${ref.namespace}/${ref.name}`);
  }

  private async handle(method: string, url: string, authorization: string | undefined, text: string): Promise<{ code: number; body: any }> {
    this.requests.push({ method, path: url });
    if (authorization !== `Bearer ${this.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const match = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/(secrets|configmaps)(?:\/([a-z0-9.-]+))?$/.exec(url);
    if (!match) return status(404, 'NotFound', 'the server could not find the requested resource');
    const [, namespace, resource, name] = match as unknown as [string, string, Resource, string | undefined];
    const verb = { GET: 'get', POST: 'create', PUT: 'update' }[method];
    if (!verb || (name === undefined) !== (verb === 'create')) return status(405, 'MethodNotAllowed', `${method} is not supported here`);
    const kind = resource === 'secrets' ? 'Secret' : 'ConfigMap';
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return status(403, 'Forbidden', `${resource}${name ? ` "${name}"` : ''} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`);
    }
    if (verb === 'get') {
      if (resource === 'secrets' && this.readsToPair > 0) {
        this.readsToPair--;
        await this.pairRead();
      }
      const found = this.objects.get(`${resource}/${namespace}/${name}`);
      return found ? { code: 200, body: found } : status(404, 'NotFound', `${resource} "${name}" not found`);
    }
    const body = JSON.parse(text);
    const objectName = body.metadata?.name;
    if (body.kind !== kind || (name !== undefined && objectName !== name) || (body.metadata.namespace ?? namespace) !== namespace) {
      return status(400, 'BadRequest', 'the object does not match the request');
    }
    if (resource === 'secrets' && Object.values(body.data ?? {}).some((v) => typeof v !== 'string' || Buffer.from(v, 'base64').toString('base64') !== v)) {
      return status(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data');
    }
    const key = `${resource}/${namespace}/${objectName}`;
    const existing = this.objects.get(key);
    if (verb === 'create') {
      if (existing) return status(409, 'AlreadyExists', `${resource} "${objectName}" already exists`);
    } else {
      if (!existing) return status(404, 'NotFound', `${resource} "${objectName}" not found`);
      const sent = body.metadata.resourceVersion;
      if (sent !== undefined && sent !== existing.metadata.resourceVersion) {
        return status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${objectName}": the object has been modified; please apply your changes to the latest version and try again`);
      }
    }
    this.put(resource, namespace, { ...body, apiVersion: 'v1', kind });
    return { code: verb === 'create' ? 201 : 200, body: this.objects.get(key) };
  }

  private pairRead(): Promise<void> {
    if (this.heldRead) {
      this.heldRead();
      this.heldRead = undefined;
      return Promise.resolve();
    }
    return new Promise((resolve) => { this.heldRead = resolve; });
  }
}

function status(code: number, reason: string, message: string) {
  return { code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code } };
}

/** A self-signed EC certificate for 127.0.0.1 in `dir`. */
function selfSigned(dir: string, stem: string): { key: string; cert: string } {
  const made = openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-keyout', `${stem}.key`, '-out', `${stem}.crt`, '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1');
  if (!made.ok) throw new Error(made.output);
  return { key: fs.readFileSync(path.join(dir, `${stem}.key`), 'utf8'), cert: fs.readFileSync(path.join(dir, `${stem}.crt`), 'utf8') };
}

const maybe = HAS_OPENSSL ? describe : describe.skip;

maybe('KubernetesSecretCaStore against an API server on loopback', () => {
  let dir: string;
  let apiServer: ApiServerStandIn;
  let port: number;
  let serverTls: { key: string; cert: string };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-k8s-store-'));
    serverTls = selfSigned(dir, 'apiserver');
    fs.writeFileSync(path.join(dir, 'ca.crt'), serverTls.cert);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    apiServer = new ApiServerStandIn(serverTls);
    port = await apiServer.start();
    fs.writeFileSync(path.join(dir, 'token'), `${apiServer.token}\n`);
  });
  afterEach(() => apiServer.stop());

  const api = (overrides: { caFile?: string } = {}) => new KubernetesApi({
    env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) },
    tokenFile: path.join(dir, 'token'),
    caFile: overrides.caFile ?? path.join(dir, 'ca.crt'),
    namespaceFile: path.join(dir, 'no-such-namespace-file'),
  });
  const store = (bundle = true) => new KubernetesSecretCaStore({ secret: SECRET, ...(bundle ? { trustBundleConfigMap: BUNDLE } : {}), api: api() });
  const stored = () => JSON.parse(Buffer.from(apiServer.get('secrets', SECRET).data[CA_SECRET_KEY], 'base64').toString());
  const writes = (resource: Resource) => apiServer.requests.filter((r) => r.method !== 'GET' && r.path.includes(`/${resource}`));
  const fingerprints = (bundle: string) => bundle.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((pem) => new X509Certificate(pem).fingerprint256);
  const emptySecret = () => apiServer.put('secrets', NS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET.name }, type: 'Opaque' });

  test('no Secret yet: the first start creates it with generation 0; the next start loads it; the ConfigMap gets the certificate only', async () => {
    const first = await MeshCa.open({ store: store(), trustDomain: TD });
    expect(writes('secrets')).toEqual([{ method: 'POST', path: `/api/v1/namespaces/${NS}/secrets` }]);
    expect(stored()).toMatchObject({ format: 'open-app-mesh-ca/v1', generation: 0, active: { certificatePem: first.rootCertificatePem } });
    expect(apiServer.get('secrets', SECRET).type).toBe('Opaque');

    const second = await MeshCa.open({ store: store(), trustDomain: TD });
    expect(second.rootCertificatePem).toBe(first.rootCertificatePem);
    expect(writes('secrets')).toHaveLength(1);

    const configMap = apiServer.get('configmaps', BUNDLE);
    expect(configMap.data[TRUST_BUNDLE_KEY]).toBe(first.trustBundlePem());
    expect(JSON.stringify(configMap)).not.toContain('PRIVATE KEY');
    expect(configMap.metadata.annotations[TRUST_BUNDLE_GENERATION_ANNOTATION]).toBe('0');
    // The second start found generation 0's bundle published and wrote nothing.
    expect(writes('configmaps')).toEqual([{ method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps` }]);
  });

  test('an empty Secret and ConfigMap made beforehand (the EKS manifests): filled by replace, no right to create needed', async () => {
    emptySecret();
    apiServer.put('configmaps', NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: BUNDLE.name, labels: { keep: 'me' } } });
    apiServer.forbidden.add('create secrets').add('create configmaps');
    const ca = await MeshCa.open({ store: store(), trustDomain: TD });
    expect(writes('secrets').map((r) => r.method)).toEqual(['PUT']);
    expect(stored().active.certificatePem).toBe(ca.rootCertificatePem);
    const configMap = apiServer.get('configmaps', BUNDLE);
    expect(configMap.data[TRUST_BUNDLE_KEY]).toBe(ca.trustBundlePem());
    expect(configMap.metadata.labels).toEqual({ keep: 'me' });
  });

  test.each([
    ['no Secret (both create: one gets AlreadyExists)', false],
    ['an empty Secret (both replace: one gets Conflict)', true],
  ])('two replicas starting at once on %s end with one root', async (_name, precreated) => {
    if (precreated) emptySecret();
    // Their first reads (MeshCa.open) and second reads (createIfAbsent) both see no root.
    apiServer.readsToPair = 4;
    const [a, b] = await Promise.all([MeshCa.open({ store: store(), trustDomain: TD }), MeshCa.open({ store: store(), trustDomain: TD })]);
    expect(a.rootCertificatePem).toBe(b.rootCertificatePem);
    expect(writes('secrets').map((r) => r.method)).toEqual(precreated ? ['PUT', 'PUT'] : ['POST', 'POST']);
    expect(stored().active.certificatePem).toBe(a.rootCertificatePem);
    expect(apiServer.get('configmaps', BUNDLE).data[TRUST_BUNDLE_KEY]).toBe(a.trustBundlePem());
  });

  test('rotation replaces with the resourceVersion read; a second rotation from the same generation is a conflict; the bundle holds both roots', async () => {
    const a = await MeshCa.open({ store: store(), trustDomain: TD });
    const b = await MeshCa.open({ store: store(), trustDomain: TD });
    const oldRoot = a.rootCertificatePem;
    await a.rotateRoot();
    expect(stored().generation).toBe(1);

    await expect(b.rotateRoot()).rejects.toThrow(CaStoreConflictError);
    await expect(b.rotateRoot()).rejects.toThrow(`CA store Kubernetes Secret ${NS}/${SECRET.name}: stored generation is 1, so generation 1 cannot replace it`);
    expect(stored().active.certificatePem).toBe(a.rootCertificatePem);
    await b.reload();
    expect(b.rootCertificatePem).toBe(a.rootCertificatePem);

    const configMap = apiServer.get('configmaps', BUNDLE);
    const expected = [a.rootCertificatePem, oldRoot].map((pem) => new X509Certificate(pem).fingerprint256);
    expect(fingerprints(configMap.data[TRUST_BUNDLE_KEY])).toEqual(expected);
    expect(configMap.metadata.annotations[TRUST_BUNDLE_GENERATION_ANNOTATION]).toBe('1');
  });

  test('a rotation is refused when the Secret changed after it was read, even to the same generation', async () => {
    const ca = await MeshCa.open({ store: store(false), trustDomain: TD });
    // Read for the rotation, then another writer replaces the Secret before the replace lands.
    const racing = api();
    const replace = racing.replace.bind(racing);
    racing.replace = async (p: string, body: object) => {
      const current = apiServer.get('secrets', SECRET);
      apiServer.put('secrets', NS, { ...current, metadata: { ...current.metadata } });
      return replace(p, body);
    };
    const rotating = await MeshCa.open({ store: new KubernetesSecretCaStore({ secret: SECRET, api: racing }), trustDomain: TD });
    await expect(rotating.rotateRoot()).rejects.toThrow(CaStoreConflictError);
    expect(stored().generation).toBe(0);
    expect(stored().active.certificatePem).toBe(ca.rootCertificatePem);
  });

  test('a replica publishing an older generation late leaves the newer bundle alone', async () => {
    await MeshCa.open({ store: store(false), trustDomain: TD });
    apiServer.put('configmaps', NS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: BUNDLE.name, annotations: { [TRUST_BUNDLE_GENERATION_ANNOTATION]: '3' } },
      data: { [TRUST_BUNDLE_KEY]: 'generation 3\n' },
    });
    await store().load();
    expect(apiServer.get('configmaps', BUNDLE).data[TRUST_BUNDLE_KEY]).toBe('generation 3\n');
    expect(writes('configmaps')).toHaveLength(0);
  });

  test('the token file is read again for every request (the kubelet rotates it)', async () => {
    const s = store(false);
    await MeshCa.open({ store: s, trustDomain: TD });
    apiServer.token = 'token-2';
    await expect(s.load()).rejects.toThrow(/CA store Kubernetes Secret shop\/shop-control-plane-ca: 401 Unauthorized/);
    fs.writeFileSync(path.join(dir, 'token'), 'token-2\n');
    await expect(s.load()).resolves.toMatchObject({ generation: 0 });
  });

  test('an API server whose certificate does not chain to ca.crt is refused before any request', async () => {
    const other = selfSigned(dir, 'other');
    fs.writeFileSync(path.join(dir, 'other-ca.crt'), other.cert);
    const s = new KubernetesSecretCaStore({ secret: SECRET, api: api({ caFile: path.join(dir, 'other-ca.crt') }) });
    await expect(s.load()).rejects.toThrow(/CA store Kubernetes Secret shop\/shop-control-plane-ca: Kubernetes API GET .* at 127.0.0.1:\d+: .*(self.signed|certificate)/i);
    expect(apiServer.requests).toHaveLength(0);
  });

  test('errors name the store: RBAC refusal, content that is not CA material, no pod', async () => {
    apiServer.forbidden.add('get secrets');
    await expect(store().load()).rejects.toThrow(/CA store Kubernetes Secret shop\/shop-control-plane-ca: 403 Forbidden: GET .*cannot get resource "secrets"/);
    apiServer.forbidden.clear();

    apiServer.put('secrets', NS, { kind: 'Secret', metadata: { name: SECRET.name }, data: { [CA_SECRET_KEY]: Buffer.from('{"hello":1}').toString('base64') } });
    await expect(store().load()).rejects.toThrow('CA store Kubernetes Secret shop/shop-control-plane-ca: format is not "open-app-mesh-ca/v1"');
    expect(writes('secrets')).toHaveLength(0);

    apiServer.objects.clear();
    apiServer.forbidden.add('create secrets');
    await expect(MeshCa.open({ store: store(), trustDomain: TD })).rejects.toThrow(/403 Forbidden: POST .*cannot create resource "secrets"/);

    expect(() => new KubernetesApi({ env: {} })).toThrow('not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set');
  });
});
