/** An input `simulate` cannot use (an --endpoints file, a --from that names nothing): exit code 2. */
export class SimulateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulateInputError';
  }
}
