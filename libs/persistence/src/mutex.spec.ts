import { Mutex } from './mutex';

describe(Mutex.name, () => {
  it('lets holders in one at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const hold = async (name: string) => {
      const release = await mutex.acquire();
      events.push(`${name} in`);
      await Promise.resolve();
      events.push(`${name} out`);
      release();
    };

    await Promise.all([hold('a'), hold('b'), hold('c')]);

    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });
});
