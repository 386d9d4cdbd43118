import { DNS_NO_RECORDS_POLICY, NoRecordsGuard } from '../../src/discovery/no-records-guard';
import { Logger } from '../../src/log';

function makeGuard() {
  let now = 0;
  const lines: { msg: string }[] = [];
  const panics: boolean[] = [];
  const guard = new NoRecordsGuard(DNS_NO_RECORDS_POLICY, () => now, new Logger('info', {}, (l) => lines.push(JSON.parse(l))), (p) => panics.push(p));
  return { guard, lines, panics, advance: (ms: number) => { now += ms; } };
}

describe('NoRecordsGuard (default policy: 3 empty answers over >= 15 s; panic at >= 50 % and >= 2 names)', () => {
  test('a name with endpoints is emptied only after 3 empty answers in a row spanning 15 s', () => {
    const { guard, advance, lines } = makeGuard();
    guard.records('a');
    guard.records('b');
    guard.records('c');
    expect(guard.empty('a')).toBe(false); // t = 0, first
    advance(7500);
    expect(guard.empty('a')).toBe(false);
    advance(7499);
    expect(guard.empty('a')).toBe(false); // third answer, but only 14.999 s
    advance(1);
    expect(guard.empty('a')).toBe(true); // fourth, 15 s after the first
    expect(lines.map((l) => l.msg)).toEqual([
      'no DNS records; keeping the last known endpoints until the name stays empty',
      'no DNS records in a row; endpoints removed',
    ]);
    expect(guard.panic).toBe(false);
  });

  test('a long wait is not enough: it takes 3 answers', () => {
    const { guard, advance } = makeGuard();
    guard.records('a');
    expect(guard.empty('a')).toBe(false);
    advance(60_000);
    expect(guard.empty('a')).toBe(false);
    advance(1);
    expect(guard.empty('a')).toBe(true);
  });

  test('records in between start the count over; a failed lookup neither counts nor resets', () => {
    const { guard, advance } = makeGuard();
    guard.records('a');
    guard.records('b');
    guard.records('c');
    expect(guard.empty('a')).toBe(false);
    advance(10_000);
    expect(guard.empty('a')).toBe(false);
    guard.records('a');
    advance(10_000);
    expect(guard.empty('a')).toBe(false); // count restarted
    advance(10_000);
    guard.failed('a');
    expect(guard.empty('a')).toBe(false); // 2 answers
    advance(10_000);
    expect(guard.empty('a')).toBe(true); // 3 answers over 20 s
  });

  test('a name that never had records is empty at once', () => {
    const { guard } = makeGuard();
    expect(guard.empty('never')).toBe(true);
  });

  test('a lone name is not a panic: it is removed after the threshold', () => {
    const { guard, advance } = makeGuard();
    guard.records('only');
    expect(guard.empty('only')).toBe(false);
    advance(7500);
    expect(guard.empty('only')).toBe(false);
    advance(7500);
    expect(guard.empty('only')).toBe(true);
    expect(guard.panic).toBe(false);
  });

  test('half the names failing at once is a panic: nothing is removed, it is reported once, and counts start over after it', () => {
    const { guard, advance, panics, lines } = makeGuard();
    for (const n of ['a', 'b', 'c', 'd']) guard.records(n);
    expect(guard.empty('a')).toBe(false);
    expect(guard.panic).toBe(false); // 1 of 4
    guard.failed('b'); // 2 of 4: a timeout counts as failing too
    expect(guard.panic).toBe(true);
    for (let i = 0; i < 20; i++) {
      advance(5000);
      expect(guard.empty('a')).toBe(false);
      expect(guard.empty('c')).toBe(false);
    }
    expect(panics).toEqual([true]);
    expect(lines.filter((l) => l.msg.startsWith('DNS panic:'))).toHaveLength(1);

    // b, c, d resolve again: 1 of 4 fails, panic over; a needs 3 fresh answers over 15 s.
    guard.records('b');
    guard.records('c');
    expect(guard.panic).toBe(false);
    expect(panics).toEqual([true, false]);
    expect(guard.empty('a')).toBe(false);
    advance(7500);
    expect(guard.empty('a')).toBe(false);
    advance(7500);
    expect(guard.empty('a')).toBe(true);
  });

  test('names without endpoints do not count towards the panic', () => {
    const { guard } = makeGuard();
    guard.records('a');
    guard.records('b');
    guard.records('c');
    for (const n of ['x', 'y', 'z']) guard.empty(n);
    expect(guard.panic).toBe(false);
    guard.empty('a');
    expect(guard.panic).toBe(false); // 1 of 3 with endpoints
  });

  test('names no longer looked up leave the count', () => {
    const { guard } = makeGuard();
    for (const n of ['a', 'b', 'c']) guard.records(n);
    guard.failed('a');
    guard.failed('b');
    expect(guard.panic).toBe(true);
    guard.retain(new Set(['c']));
    expect(guard.panic).toBe(false);
  });
});
