/**
 * Runs async sections one at a time, in call order: a lock for work that must not interleave (checking then
 * claiming event ids; appending dead letters then recording the mark).
 */
export function createSerialSection() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(section: () => Promise<T>): Promise<T> {
      const result = tail.then(section);
      // The next section waits for this one, whether it succeeds or fails.
      tail = result.catch(() => {});
      return result;
    },
  };
}

export type SerialSection = ReturnType<typeof createSerialSection>;
