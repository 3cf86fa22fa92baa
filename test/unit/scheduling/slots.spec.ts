import { Slots } from '../../../src/common/scheduling/slots';

/** A piece of work that runs until `finish` (or `fail`) is called. */
function held() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { work: () => done, finish, fail };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Slots', () => {
  it('runs at most its size at once; the rest wait and start in arrival order as slots free up', async () => {
    const slots = new Slots(2);
    const started: number[] = [];
    const works = [0, 1, 2, 3].map(() => held());
    const runs = works.map((w, i) =>
      slots.run(() => {
        started.push(i);
        return w.work();
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect([slots.running, slots.queued]).toEqual([2, 2]);

    works[1].finish();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect([slots.running, slots.queued]).toEqual([2, 1]);

    works[0].finish();
    works[2].finish();
    works[3].finish();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect([slots.running, slots.queued]).toEqual([0, 0]);
  });

  it('frees the slot of work that throws, and hands the error to its caller', async () => {
    const slots = new Slots(1);
    const first = held();
    const failed = slots.run(first.work);
    let secondRan = false;
    const second = slots.run(async () => {
      secondRan = true;
      return 'second';
    });
    await settle();
    expect(secondRan).toBe(false);

    first.fail(new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
    await expect(second).resolves.toBe('second');
    expect([slots.running, slots.queued]).toEqual([0, 0]);
  });

  it('refuses a size below one', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
