import * as http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One request to the admin server on 127.0.0.1 (http.request: it lets a test set Host and Cookie). */
export function request(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A server-sent event stream read by a test: events by name and data, and comment lines. */
export class EventStreamReader {
  readonly events: { event: string; data: string }[] = [];
  comments = 0;
  status = 0;
  private buffer = '';
  private req: http.ClientRequest | undefined;

  open(port: number, path = '/dashboard/events', headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      this.req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
        this.status = res.statusCode!;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.take(chunk));
        res.on('error', () => undefined);
        resolve(this.status);
      });
      this.req.on('error', reject);
    });
  }

  close(): void {
    this.req?.destroy();
  }

  /** The data of the latest `state` event, parsed. */
  latestState<T = any>(): T | undefined {
    const last = [...this.events].reverse().find((e) => e.event === 'state');
    return last ? JSON.parse(last.data) as T : undefined;
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.events.push({ event, data: data.join('\n') });
    }
  }
}
