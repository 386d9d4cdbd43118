/**
 * `npm run demo`: the App Mesh canary on one machine, with nothing from AWS.
 *
 *  1. synthesizes examples/canary (a CDK app) into <work-dir>/cdk.out and publishes its spec;
 *  2. runs the bundled control plane (a child process) on that spec with static loopback endpoints,
 *     serving xDS over mutual TLS with a mesh CA in a temporary directory and accepting
 *     Kubernetes service-account tokens from a loopback stand-in of a cluster's OIDC issuer;
 *  3. runs `open-app-mesh agent` (a child process) for each virtual node: it exchanges the node's
 *     token for a certificate; serviceA's agent also carries its xDS stream to the control plane;
 *  4. runs serviceB and serviceBv2 as gRPC servers requiring mesh mTLS and serviceA as a proxyless
 *     @grpc/grpc-js-xds client, and prints both ends' SPIFFE IDs of a call;
 *  5. measures the split, changes the weights in the CDK app, re-synthesizes, and measures again
 *     while nothing restarts.
 * `--insecure` runs the same without TLS or identities.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ControlPlaneProcess } from './control-plane-process';
import { writeMeshRoots } from './mesh-ca-roots';
import { LoopbackOidcIssuer } from './oidc-issuer';
import { DEMO_USAGE, DemoOptions, DemoUsageError, parseDemoArgs } from './options';
import { writeMeshPicture } from './picture';
import { Progress } from './progress';
import { checkSplit, Counts, formatSplitTable, formatWeights, parseWeights, SplitCheck, sumOf, SwitchDetector, Weights } from './split';
import { CANARY_MESH, CANARY_NODES, publishAtomically, serviceAccountOf, synthesizeCanary } from './synth';
import { runTraffic } from './traffic';
import { askWithPeer, meshServerCredentials, WhoAmIServer } from './whoami';
import { WorkloadAgent } from './workload-agent';
import { connectServiceA, ServiceAConnection } from './xds-client';

const VERSIONS: readonly [string, string] = ['serviceB', 'serviceBv2'];
const LABELS: Record<string, string> = { serviceB: 'serviceB (v1)', serviceBv2: 'serviceBv2 (v2)' };
const VIRTUAL_SERVICE = 'serviceb.apps.local';
const nodeIdOf = (node: string) => `mesh/${CANARY_MESH}/virtualNode/${node}`;
const CLIENT_NODE_ID = nodeIdOf('serviceA');
const INITIAL_WEIGHTS = '75/25';
/** The Kubernetes namespace the demo's workloads play in, and the audience of their tokens. */
const NAMESPACE = 'demo';
const AUDIENCE = 'open-app-mesh';
const STEPS = 8;

const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms));
/** Time since the process started, so ts-node's start-up and module loading count too. */
const elapsed = () => process.uptime() * 1000;
const step = (n: number, text: string) => out(`[${n}/${STEPS} ${seconds(elapsed()).padStart(6)}] ${text}`);
/** A path as short as it stays clear: relative below the current directory, absolute elsewhere. */
const rel = (file: string) => {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
};

/** Everything the demo starts, so every exit path can stop it. */
class Running {
  controlPlane: ControlPlaneProcess | undefined;
  client: grpc.Client | undefined;
  issuer: LoopbackOidcIssuer | undefined;
  /** CA, tokens, keys and sockets: removed at the end, whatever happened. */
  secretsDir: string | undefined;
  readonly agents: WorkloadAgent[] = [];
  readonly servers: WhoAmIServer[] = [];

  async stopAll(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    await Promise.all(this.servers.map((s) => s.stop()));
    await Promise.all([this.controlPlane?.stop(3000), ...this.agents.map((a) => a.stop())]);
    await this.issuer?.stop();
    this.removeSecrets();
  }

  /** Synchronous last resort for process exit paths. */
  killNow(): void {
    this.controlPlane?.killNow();
    for (const agent of this.agents) agent.process.killNow();
    this.removeSecrets();
  }

  private removeSecrets(): void {
    if (this.secretsDir) fs.rmSync(this.secretsDir, { recursive: true, force: true });
    this.secretsDir = undefined;
  }
}

/** Measures `replies` replies with live progress and prints the table. */
async function measure(running: Running, options: DemoOptions, weights: Weights, signal: AbortSignal): Promise<SplitCheck> {
  const counts: Record<string, number> = {};
  const started = Date.now();
  const progress = new Progress(() => {
    const n = sumOf(counts);
    if (n === 0) return '           waiting for the first reply (serviceA resolves serviceb.apps.local over xDS)';
    const shares = VERSIONS.map((v) => `${v} ${n ? ((100 * (counts[v] ?? 0)) / n).toFixed(1) : '0.0'} %`).join('  ');
    const rate = n / Math.max(0.001, (Date.now() - started) / 1000);
    return `      ${String(n).padStart(6)}/${options.requests} replies  ${shares}  (${rate.toFixed(0)} RPC/s)`;
  });
  progress.start();
  try {
    const result = await runTraffic(running.client!, {
      concurrency: options.concurrency,
      replies: options.requests,
      timeoutMs: 60_000,
      signal,
      onReply: (version) => { counts[version] = (counts[version] ?? 0) + 1; },
    });
    progress.stop();
    if (result.errors > 0) out(`      ${result.errors} RPCs failed (last: ${result.lastError})`);
  } catch (error) {
    progress.stop();
    throw error;
  }
  const check = checkSplit(weights, counts as Counts);
  out();
  for (const line of formatSplitTable(check, LABELS)) out(`      ${line}`);
  out();
  return check;
}

async function run(options: DemoOptions, running: Running, signal: AbortSignal): Promise<number> {
  const before = parseWeights(INITIAL_WEIGHTS, VERSIONS);
  const after = parseWeights(options.to, VERSIONS);
  const work = options.workDir;
  const mtls = !options.insecure;
  fs.mkdirSync(work, { recursive: true });
  const specFile = path.join(work, `${CANARY_MESH}.mesh.json`);
  const endpointsFile = path.join(work, 'endpoints.json');
  fs.rmSync(specFile, { force: true });
  const identities = mtls ? { serviceAccountNamespace: NAMESPACE } : undefined;

  out('open-app-mesh demo: the App Mesh canary (serviceA → serviceb.apps.local → serviceB / serviceBv2) on one machine');
  if (!mtls) out('WARNING: --insecure: xDS and the calls between services are plaintext and carry no identity; any local process can read any node\'s configuration');
  out();

  // The services' ports go into this file once they listen (with mTLS they need their certificates first).
  publishAtomically(endpointsFile, '{}\n');
  let trustArgs = ['--insecure-plaintext'];
  if (mtls) {
    running.secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-demo-'));
    running.issuer = new LoopbackOidcIssuer();
    await running.issuer.start();
    trustArgs = ['--ca-dir', path.join(running.secretsDir, 'ca'), '--ca-create', 'true', '--tls-names', '127.0.0.1', '--exchange-port', '0',
      '--k8s-issuer', running.issuer.url, '--k8s-audience', AUDIENCE];
  }

  // The control plane starts while the app synthesizes (two cores, two processes); it watches
  // the spec path and applies the spec as soon as it appears.
  const controlPlane = new ControlPlaneProcess([
    '--spec', specFile, '--endpoints', `static:${endpointsFile}`, ...trustArgs, '--bind', '127.0.0.1',
    '--xds-port', String(options.xdsPort), '--admin-port', String(options.adminPort), '--drain-timeout', '1',
  ], path.join(work, 'control-plane.log'));
  running.controlPlane = controlPlane;
  const controlPlaneStarted = controlPlane.listen(90_000);
  controlPlaneStarted.catch(() => undefined);

  const cdkOut = path.join(work, 'cdk.out');
  const first = synthesizeCanary({ serviceB: before[0].weight, serviceBv2: before[1].weight }, cdkOut, identities);
  publishAtomically(specFile, first.content);
  step(1, `synthesized examples/canary with weights ${formatWeights(before)}${mtls ? ' and mesh TLS' : ''} in ${duration(first.millis)}`);
  out(`      cloud assembly ${rel(cdkOut)}, spec ${rel(first.assemblyFile)} (version ${first.version}) → published to ${rel(specFile)}`);

  const picture = await writeMeshPicture(specFile, work);
  step(2, `picture of the mesh: ${rel(picture.svg)} (SVG), ${rel(picture.mermaid)} (Mermaid)`);

  await controlPlaneStarted;
  const pid = controlPlane.pid;
  await controlPlane.waitForLog((l) => l.msg === 'spec applied' && l.version === first.version, 60_000);
  step(3, `control plane running: pid ${pid}, xDS 127.0.0.1:${controlPlane.xdsPort}${mtls ? ' (mutual TLS)' : ' (PLAINTEXT)'}, admin http://127.0.0.1:${controlPlane.adminPort}, spec ${first.version} applied`);
  out(`      live dashboard: ${dashboardUrl(controlPlane)} (open it now: it follows the weight change${options.keepRunning ? '' : '; --keep-running keeps it up after the run'})`);
  if (controlPlane.logs.some((l) => l.msg.startsWith('spec rejected') && JSON.stringify(l.issues ?? '').includes('ENOENT'))) {
    out('      (it started before the first synthesis finished: it logged the missing spec file and applied the spec once it appeared)');
  }

  let serviceAConnection: ServiceAConnection = { xdsServerUri: `127.0.0.1:${controlPlane.xdsPort}`, nodeId: CLIENT_NODE_ID };
  const credentialsOf = new Map<string, grpc.ServerCredentials>();
  if (mtls) {
    await startAgents(running, work);
    for (const [i, node] of CANARY_NODES.entries()) credentialsOf.set(node, meshServerCredentials(running.agents[i].outDir));
    const agentA = running.agents[0];
    serviceAConnection = { xdsServerUri: agentA.xdsProxyUri!, nodeId: CLIENT_NODE_ID, certificateDir: agentA.outDir };
  } else {
    step(4, 'no identities (--insecure): no CA, no agents, no certificates');
  }

  for (const version of VERSIONS) {
    const server = new WhoAmIServer(version, credentialsOf.get(version));
    running.servers.push(server);
    await server.start();
  }
  const endpoints: Record<string, { address: string; port: number }[]> = {};
  for (const server of running.servers) endpoints[server.version] = [{ address: '127.0.0.1', port: server.port }];
  publishAtomically(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
  running.client = connectServiceA(serviceAConnection, VIRTUAL_SERVICE);
  const call = await askWithPeer(running.client, 0, 60_000, true);
  step(5, `serviceA called ${VIRTUAL_SERVICE} through its xDS channel: ${call.reply.version} answered`);
  for (const server of running.servers) {
    out(`      ${LABELS[server.version].padEnd(16)} gRPC server on 127.0.0.1:${server.port} (static endpoint of virtual node ${server.version})${mtls ? ', requires a client certificate of the mesh CA' : ''}`);
  }
  if (mtls) {
    out(`      client identity, as the server saw it: ${call.reply.caller}`);
    out(`      server identity, as the client saw it: ${call.server}`);
  } else {
    out('      no identities: the call was plaintext (--insecure)');
  }

  step(6, `phase 1: ${options.requests} RPCs from serviceA at weights ${formatWeights(before)}`);
  const phase1 = await measure(running, options, before, signal);
  if (signal.aborted) return 130;

  // The change, made where a user makes it: in the CDK app, then synthesized again.
  const second = synthesizeCanary({ serviceB: after[0].weight, serviceBv2: after[1].weight }, cdkOut, identities);
  const logMark = controlPlane.logs.length;
  const publishedAt = Date.now();
  publishAtomically(specFile, second.content);
  step(7, `changed the weights in the CDK app to ${formatWeights(after)}, re-synthesized in ${duration(second.millis)} (version ${second.version}), published`);
  const detector = new SwitchDetector(before, after);
  let observed = false;
  let repliesUntilObserved = 0;
  const watch = runTraffic(running.client, {
    concurrency: 1,
    timeoutMs: 60_000,
    signal,
    until: () => observed,
    onReply: (version) => {
      repliesUntilObserved++;
      if (detector.observe(version)) observed = true;
    },
  });
  const applied = await controlPlane.waitForLog((l) => l.msg === 'spec applied' && l.version === second.version, 60_000, logMark);
  const appliedAfter = Date.parse(String(applied.time)) - publishedAt;
  await watch;
  if (signal.aborted) return 130;
  const observedAfter = Date.now() - publishedAt;
  out(`      the control plane (pid ${controlPlane.pid}, ${controlPlane.pid === pid ? 'same process' : 'A DIFFERENT PROCESS'}) applied it ${duration(Math.max(0, appliedAfter))} after publishing`);
  out(`      serviceA's replies follow the new weights ${duration(observedAfter)} after publishing (${repliesUntilObserved} replies; same channel, servers untouched)`);

  step(8, `phase 2: ${options.requests} RPCs from serviceA at weights ${formatWeights(after)}`);
  const phase2 = await measure(running, options, after, signal);
  if (signal.aborted) return 130;

  const unchanged = controlPlane.running && controlPlane.pid === pid;
  const refusals = refusalsOf(running);
  const ok = phase1.withinTolerance && phase2.withinTolerance && unchanged && refusals.total === 0;
  out('summary');
  out(`  ${formatWeights(before)} → observed ${phase1.rows.map((r) => r.observedPct.toFixed(1)).join('/')} over ${phase1.total} replies: ${phase1.withinTolerance ? 'as configured' : 'NOT as configured'}`);
  out(`  ${formatWeights(after)} → observed ${phase2.rows.map((r) => r.observedPct.toFixed(1)).join('/')} over ${phase2.total} replies: ${phase2.withinTolerance ? 'as configured' : 'NOT as configured'}`);
  out(`  the new weights reached serviceA ${duration(observedAfter)} after the spec was published; control plane pid ${pid} ${unchanged ? 'ran throughout' : 'DID NOT run throughout'}`);
  out(`  ${refusals.line}`);
  out(`  files: ${rel(specFile)}, ${rel(picture.svg)}, ${rel(path.join(work, 'control-plane.log'))}${mtls ? `, ${rel(path.join(work, 'agent-*.log'))}` : ''}`);
  out(`  dashboard: ${dashboardUrl(controlPlane)}${options.keepRunning ? '' : ' (stops with the demo; --keep-running keeps it up)'}`);

  if (options.keepRunning && !signal.aborted) await explore(running, options, signal);
  return ok ? 0 : 1;
}

/** Step 4: the mesh roots out of the CA store, then an agent per node, each with its service-account token. */
async function startAgents(running: Running, work: string): Promise<void> {
  const controlPlane = running.controlPlane!;
  const secrets = running.secretsDir!;
  const caDir = path.join(secrets, 'ca');
  const trustDomain = String(controlPlane.logs.find((l) => l.msg === 'certificate exchange listening')?.trustDomain);
  out(`      mesh CA in ${caDir} (trust domain ${trustDomain}), certificate exchange https://127.0.0.1:${controlPlane.exchangePort}`);
  out(`      accepting service-account tokens of the issuer ${running.issuer!.url} (a loopback stand-in of a cluster's OIDC issuer) for audience ${AUDIENCE}`);
  const caBundle = path.join(secrets, 'mesh-roots.pem');
  writeMeshRoots(caDir, caBundle);
  for (const node of CANARY_NODES) {
    running.agents.push(new WorkloadAgent({
      nodeId: nodeIdOf(node),
      namespace: NAMESPACE,
      serviceAccount: serviceAccountOf(NAMESPACE, node).split(':').pop()!,
      controlPlaneUrl: `https://127.0.0.1:${controlPlane.exchangePort}`,
      caBundleFile: caBundle,
      audience: AUDIENCE,
      issuer: running.issuer!,
      dir: path.join(secrets, node),
      ...(node === 'serviceA' ? { xdsAddress: `127.0.0.1:${controlPlane.xdsPort}` } : {}),
      logFile: path.join(work, `agent-${node}.log`),
    }));
  }
  await Promise.all(running.agents.map((agent) => agent.start(180_000)));
  step(4, 'an agent per workload (open-app-mesh agent --identity kubernetes) exchanged its service-account token for its node\'s certificate');
  for (const [i, node] of CANARY_NODES.entries()) {
    const agent = running.agents[i];
    const issued = agent.process.logs.find((l) => l.msg === 'certificate obtained');
    out(`      ${node.padEnd(11)} pid ${agent.process.pid}, ${serviceAccountOf(NAMESPACE, node)} → ${String(issued?.spiffeId)}`);
  }
  out(`      serviceA's agent also relays its xDS stream to the control plane over mutual TLS (${running.agents[0].xdsProxyUri})`);
}

/**
 * What the control plane and the agents refused or clients rejected, from their logs: in this
 * demo every workload is entitled to all it asks for, so anything here is a fault.
 */
function refusalsOf(running: Running): { total: number; line: string } {
  const logs = running.controlPlane!.logs;
  const count = (msg: string) => logs.filter((l) => l.msg === msg).length;
  const issued = count('certificate issued');
  const exchanges = count('certificate exchange refused');
  const streams = count('xds stream refused') + running.agents.reduce((n, a) => n + a.process.logs.filter((l) => l.msg === 'xDS stream refused').length, 0);
  const nacks = logs.filter((l) => l.msg.startsWith('client rejected configuration')).length;
  return {
    total: exchanges + streams + nacks,
    line: `control plane: ${issued} certificates issued, ${exchanges} exchanges refused, ${streams} xDS streams refused, ${nacks} configurations rejected (NACK)`,
  };
}

/** The control plane's live dashboard (served by its admin server; the demo sets no admin token). */
function dashboardUrl(cp: ControlPlaneProcess): string {
  return `http://127.0.0.1:${cp.adminPort}/dashboard/`;
}

/** --keep-running: slow background traffic, the admin endpoints, the dashboard, and how to change the weights. */
async function explore(running: Running, options: DemoOptions, signal: AbortSignal): Promise<void> {
  const cp = running.controlPlane!;
  const admin = `http://127.0.0.1:${cp.adminPort}`;
  const spec = rel(path.join(options.workDir, `${CANARY_MESH}.mesh.json`));
  const assembly = rel(path.join(options.workDir, 'cdk.out'));
  out();
  out(`still running (Ctrl-C ends). Control plane pid ${cp.pid}, xDS 127.0.0.1:${cp.xdsPort}`);
  out(`  live dashboard: ${dashboardUrl(cp)}`);
  for (const endpoint of ['healthz', 'readyz', 'metrics', 'clients', `config_dump?node=${encodeURIComponent(CLIENT_NODE_ID)}&view=proxyless`]) {
    out(`  curl '${admin}/${endpoint}'`);
  }
  out('change the weights again (the control plane picks the file up; serviceA follows):');
  if (options.insecure) {
    out(`  CANARY_WEIGHTS=50/50 CDK_OUTDIR=${assembly} npx ts-node --transpile-only examples/canary/app.ts \\`);
  } else {
    // The demo's synthesis, so the new spec keeps the mesh TLS and the service-account grants.
    const synth = `require('./demo/synth').synthesizeCanary({ serviceB: 50, serviceBv2: 50 }, '${assembly}', { serviceAccountNamespace: '${NAMESPACE}' })`;
    out(`  npx ts-node --transpile-only -e "${synth}" \\`);
  }
  out(`    && cp ${assembly}/${CANARY_MESH}.mesh.json ${spec}.tmp && mv ${spec}.tmp ${spec}`);
  out();
  const counts: Record<string, number> = {};
  const recent: string[] = [];
  const progress = new Progress(() => {
    const n = recent.length;
    const shares = VERSIONS.map((v) => `${v} ${n ? ((100 * recent.filter((r) => r === v).length) / n).toFixed(1) : '0'} %`).join('  ');
    return `  serviceA, last ${n} replies: ${shares}  (total ${sumOf(counts)})`;
  }, process.stdout, 10_000);
  progress.start();
  await runTraffic(running.client!, {
    concurrency: 1,
    pauseMs: 50,
    timeoutMs: Number.MAX_SAFE_INTEGER,
    signal,
    onReply: (version) => {
      counts[version] = (counts[version] ?? 0) + 1;
      recent.push(version);
      if (recent.length > 200) recent.shift();
    },
  });
  progress.stop();
}

async function main(): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = parseDemoArgs(process.argv.slice(2), process.cwd());
  } catch (error) {
    if (error instanceof DemoUsageError) {
      process.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    out(DEMO_USAGE);
    return 0;
  }
  const running = new Running();
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = (name: string) => {
    if (interrupted) {
      running.killNow();
      process.exit(1);
    }
    interrupted = true;
    if (!options.keepRunning) out(`\n${name}: stopping`);
    abort.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Last resort on any exit: no child process or secret outlives the demo.
  process.on('exit', () => running.killNow());

  let code: number;
  try {
    code = await run(options, running, abort.signal);
    if (interrupted && !options.keepRunning) code = 130;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  await running.stopAll();
  const exit = running.controlPlane?.logs.some((l) => l.msg === 'control plane stopped') ? 'drained and stopped' : 'stopped';
  const agents = running.agents.length > 0 ? `, ${running.agents.length} agents stopped, temporary CA and keys removed` : '';
  out(`done in ${seconds(elapsed())}: control plane ${exit}${agents}, services and client closed (exit ${code})`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
