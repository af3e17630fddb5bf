/**
 * How a Node server process ends: SIGINT or SIGTERM closes it (draining what is in flight) and
 * exits 0, or 1 if closing failed; a second signal exits 1 at once, for an operator who will not
 * wait. The one policy the Node edge and the backplane follow.
 */

/** Where the process says what it is doing; each app passes its own logger's words. */
export interface SignalReport {
  stopping(signal: NodeJS.Signals): void;
  again(signal: NodeJS.Signals): void;
  failed(error: unknown): void;
}

/** On SIGINT or SIGTERM: `close()`, then exit. Returns a function that removes the listeners. */
export function stopOnSignals(close: () => Promise<void>, report: SignalReport): () => void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      report.again(signal);
      process.exit(1);
    }
    stopping = true;
    report.stopping(signal);
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        report.failed(e);
        process.exit(1);
      },
    );
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const s of signals) process.on(s, stop);
  return () => {
    for (const s of signals) process.off(s, stop);
  };
}
