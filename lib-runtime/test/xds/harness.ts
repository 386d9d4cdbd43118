/**
 * A server on loopback with a hook recorder and a raw client, plus the waits the protocol tests
 * share. Not a test file itself.
 */
import { ackOf, AdsTestClient, type Message, type TestStream } from './ads-test-client';
import { HookRecorder } from './hook-recorder';
import { XdsServer, type XdsServerOptions } from '../../src/xds/xds-server';

export class Harness {
  static async start(options: XdsServerOptions = {}): Promise<Harness> {
    const recorder = new HookRecorder();
    const server = new XdsServer({ pushDebounceMs: 0, hooks: recorder.hooks, ...options });
    const port = await server.listen();
    return new Harness(server, recorder, new AdsTestClient(port), port);
  }

  private constructor(readonly server: XdsServer, readonly recorder: HookRecorder, readonly client: AdsTestClient, readonly port: number) {}

  async stop(): Promise<void> {
    this.client.close();
    await this.server.shutdown(500);
  }

  /** Send a request and wait until the server has handled it (and written whatever it answers). */
  async sendHandled(stream: TestStream, request: Message): Promise<void> {
    const before = this.recorder.requestCount;
    stream.send(request);
    await this.recorder.requestsHandled(before + 1);
  }

  /** Receive the next SotW response and ACK it with `names`. */
  async receiveAndAck(stream: TestStream, names: string[]): Promise<Message> {
    const response = await stream.next();
    await this.sendHandled(stream, ackOf(response, names));
    return response;
  }

  /** Assert that handling `request` produces no response. */
  async expectNoResponseTo(stream: TestStream, request: Message): Promise<void> {
    const before = this.server.stats().responses;
    await this.sendHandled(stream, request);
    expect(this.server.stats().responses).toBe(before);
  }

  /** Apply a change and push it now; returns how many responses the push wrote. */
  pushNow(change: () => void): number {
    const before = this.server.stats().responses;
    change();
    this.server.flush();
    return this.server.stats().responses - before;
  }
}
