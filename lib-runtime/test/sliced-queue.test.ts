import { SlicedQueue } from '../src/sliced-queue';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('runs a first slice at once, then the rest on later turns of the event loop, in order', async () => {
  const done: number[] = [];
  // A slice of 0 ms runs one item, then yields.
  const queue = new SlicedQueue<number>((n) => done.push(n), 0);
  queue.run([1, 2, 3]);
  expect(done).toEqual([1]);
  expect(queue.size).toBe(2);
  // Work queued while a run is under way joins it.
  queue.run([4]);
  expect(done).toEqual([1]);
  while (queue.size > 0) await turn();
  expect(done).toEqual([1, 2, 3, 4]);
});

test('a long slice runs everything in one go', () => {
  const done: string[] = [];
  new SlicedQueue<string>((s) => done.push(s), 10_000).run(['a', 'b', 'c']);
  expect(done).toEqual(['a', 'b', 'c']);
});

test('cancel drops what has not run and returns it; nothing runs after it', async () => {
  const done: number[] = [];
  const queue = new SlicedQueue<number>((n) => done.push(n), 0);
  queue.run([1, 2, 3]);
  expect(queue.cancel()).toEqual([2, 3]);
  await turn();
  await turn();
  expect(done).toEqual([1]);
  expect(queue.size).toBe(0);
  expect(queue.cancel()).toEqual([]);
});
