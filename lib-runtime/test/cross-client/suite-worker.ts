import { ClientWorker, WorkerKind } from './client-worker';

/**
 * A worker of `kind` for the enclosing describe block: started in its beforeAll on the bootstrap
 * file `bootstrapFile()` names then (the suite's own beforeAll writes it first), stopped in its
 * afterAll. Returns the running worker.
 */
export function suiteWorker(kind: WorkerKind, bootstrapFile: () => string): () => ClientWorker {
  let worker: ClientWorker | undefined;

  beforeAll(async () => {
    worker = new ClientWorker(kind, bootstrapFile());
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
  });

  return () => {
    if (!worker) throw new Error(`the ${kind.name} worker has not started`);
    return worker;
  };
}
