/**
 * Wraps `run` so that every caller waits for a run that started after its call: callers that
 * arrive while one runs share the next one. A reader then sees every commit made before it asked
 * (a version check, a reload), at one run per round trip however many requests wait.
 */
export function freshRun(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    running = run().finally(() => {
      running = undefined;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        // A run someone started since the last one ended began after every waiter's call too.
        return running ?? start();
      });
    return next;
  };
}
