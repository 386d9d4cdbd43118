import { promises as fs } from 'node:fs';
import { resolveCaller } from './caller';
import { SimulateInputError } from './input-error';
import { formatJson, formatText } from './report';
import { parseRequest, RequestSyntaxError } from './request';
import { fetchServedConfig } from './served-config';
import { simulate, simulateServed } from './simulate';
import { parseSimulateArgs, SIMULATE_USAGE } from './simulate-args';
import { DiffInputError, fetchServedSpec, readSpecInput } from '../diff/spec-inputs';
import { parseStaticEndpoints, StaticEndpointsError } from '../discovery/static-file';
import type { DiscoveredEndpoints } from '../translate';

/**
 * `open-app-mesh simulate --spec <file> --from <node> <request>`: where one request goes, read
 * from the configuration the control plane would serve. Exit code 0 = routed, 1 = no route or
 * refused (the answer says why), 2 = usage or input error.
 */

export interface SimulateCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: SimulateCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command on the arguments after `simulate`; returns the exit code. */
export async function runSimulateCommand(args: readonly string[], io: SimulateCommandIo = PROCESS_IO): Promise<number> {
  const parsed = parseSimulateArgs(args[0] === 'simulate' ? args.slice(1) : args);
  if (parsed === 'help') {
    io.stdout(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.stderr(`open-app-mesh simulate: ${parsed}\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  const fail = (message: string): number => {
    io.stderr(`open-app-mesh simulate: ${message}\n`);
    if (parsed.format === 'json') io.stdout(`${JSON.stringify({ error: message }, undefined, 2)}\n`);
    return 2;
  };
  try {
    const request = parseRequest(parsed.words, parsed.headers);
    let result;
    if (parsed.against !== undefined) {
      const token = parsed.adminTokenFile === undefined ? undefined : await readToken(parsed.adminTokenFile);
      const caller = resolveCaller((await fetchServedSpec(parsed.against, token)).specs, parsed.from);
      const config = await fetchServedConfig(parsed.against, caller.nodeId, token);
      if (config.specVersion !== caller.spec.version) {
        throw new SimulateInputError(`${parsed.against}: the control plane changed its spec between two reads (${caller.spec.version}, then ${config.specVersion}): run again`);
      }
      result = simulateServed({ doc: caller.spec.doc, nodeId: caller.nodeId, request, config, version: config.specVersion });
    } else {
      const caller = resolveCaller((await readSpecInput(parsed.spec!)).specs, parsed.from);
      const endpoints = parsed.endpoints === undefined ? undefined : await readEndpoints(parsed.endpoints);
      result = simulate({ doc: caller.spec.doc, nodeId: caller.nodeId, request, endpoints, version: caller.spec.version });
    }
    io.stdout(parsed.format === 'json' ? formatJson(result) : formatText(result));
    return result.outcome === 'routed' ? 0 : 1;
  } catch (error) {
    if (error instanceof RequestSyntaxError) return fail(`request: ${error.message}`);
    if (error instanceof DiffInputError || error instanceof SimulateInputError) return fail(error.message);
    throw error;
  }
}

async function readToken(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new SimulateInputError(`--admin-token-file ${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readEndpoints(file: string): Promise<DiscoveredEndpoints> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new SimulateInputError(`--endpoints ${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseStaticEndpoints(text);
  } catch (error) {
    if (error instanceof StaticEndpointsError) throw new SimulateInputError(`--endpoints ${file}: ${error.message}`);
    throw error;
  }
}
