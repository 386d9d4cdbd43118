/**
 * Live progress on one line: rewritten in place on a terminal, printed as plain periodic
 * lines otherwise (CI logs and pipes have no cursor to move).
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private lastPrinted = '';
  private readonly tty: boolean;

  constructor(
    private readonly render: () => string,
    private readonly out: NodeJS.WriteStream = process.stdout,
    /** Period of the plain lines when not on a terminal. */
    private readonly plainIntervalMs = 1000,
  ) {
    this.tty = out.isTTY === true;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tty ? 100 : this.plainIntervalMs);
    this.timer.unref();
  }

  /** Prints the final state once and stops. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const text = this.render();
    if (this.tty) this.out.write(`\r\x1b[2K${text}\n`);
    else if (text !== this.lastPrinted) this.out.write(`${text}\n`);
  }

  private tick(): void {
    const text = this.render();
    if (this.tty) {
      this.out.write(`\r\x1b[2K${text}`);
    } else if (text !== this.lastPrinted) {
      this.out.write(`${text}\n`);
    }
    this.lastPrinted = text;
  }
}
