/**
 * `open-app-mesh <command>`: the package's command-line entry.
 *
 *   open-app-mesh control-plane --spec <file> [options]   serve a mesh spec over xDS
 *   open-app-mesh graph <spec.json> [--out mesh.svg]      draw a mesh spec
 *   open-app-mesh agent --node-id <id> [options]         beside a proxy: certificate, SDS, xDS proxy
 *   open-app-mesh ca show|rotate [CA store flags]          the mesh CA: what signs, root rotation
 *   open-app-mesh diff <old> <new>                          what a mesh change does, before deploy
 *   open-app-mesh import <files…> [--out DIR]               App Mesh definitions → spec + CDK app
 *   open-app-mesh simulate --spec <file> --from <node> <request>   where one request goes
 */
import { runAgentCommand } from './agent/agent-command';
import { runCaCommand } from './ca-command';
import { runDiffCommand } from './diff/diff-command';
import { runGraphCommand } from './graph/cli';
import { runImportCommand } from './import/import-command';
import { main as runControlPlane } from './main';
import { runSimulateCommand } from './simulate/simulate-command';

const USAGE = `Usage: open-app-mesh <command> [options]

Commands:
  control-plane   serve a mesh spec to Envoy and proxyless gRPC clients over xDS (--help for options)
  graph           draw a mesh spec as Mermaid or SVG (--help for options)
  agent           beside a proxy: workload certificate, SDS, mTLS xDS proxy (--help for options)
  ca              the mesh CA: show what signs and what is trusted, rotate the root (--help for options)
  diff            what a mesh change does: traffic, App Mesh resources, each node's configuration (--help for options)
  import          App Mesh definitions (CloudFormation, AWS CLI JSON, Kubernetes) to a mesh spec and a CDK app (--help for options)
  simulate        where one HTTP request or gRPC call from a node goes: listener, route, targets, policies (--help for options)
`;

/** Runs one command; returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'control-plane':
      return runControlPlane(rest);
    case 'graph':
      return runGraphCommand(rest);
    case 'agent':
      return runAgentCommand(rest);
    case 'ca':
      return runCaCommand(rest);
    case 'diff':
      return runDiffCommand(rest);
    case 'import':
      return runImportCommand(rest);
    case 'simulate':
      return runSimulateCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`open-app-mesh: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`open-app-mesh: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
