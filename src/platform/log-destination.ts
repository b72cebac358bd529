import pino from "pino";

/** What pino needs from a destination, plus a synchronous flush for exit paths. */
export interface LogDestination {
  write(line: string): void;
  flushSync(): void;
}

/**
 * Standard output that gathers every line logged during one event-loop turn into a single write.
 * Under load a turn serves many requests, and one write(2) per access line was a measurable share of
 * a cheap request (the syscall, not the formatting). Nothing waits on a timer: the batch is written
 * as soon as the turn ends, so an idle server's lines appear at once, and `exit` flushes what is
 * left. sonic-boom does the writing (partial writes, EAGAIN on a full pipe), synchronously, as pino's
 * default destination does; only the batching is ours.
 */
export function createLogDestination(fd = 1): LogDestination {
  const sink = pino.destination({ dest: fd, sync: true });
  let pending: string[] = [];
  let scheduled = false;

  const flushSync = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    sink.write(lines.length === 1 ? (lines[0] as string) : lines.join(""));
  };

  process.on("exit", flushSync);
  return {
    write(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushSync);
      }
    },
    flushSync,
  };
}
