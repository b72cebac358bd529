import pino from "pino";

/**
 * Linux's PIPE_BUF: a write of at most this many bytes to a pipe is never interleaved with another
 * process's write to the same pipe.
 */
export const PIPE_ATOMIC_BYTES = 4096;

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
 *
 * `maxWriteBytes` is for processes that share their standard output with siblings (`SARK_WORKERS`):
 * a batch is then written in pieces of whole lines no larger than that, so lines from different
 * workers never interleave on the container's log pipe. A single line longer than the limit still
 * goes out in one write, and only such a line can be interleaved.
 */
export function createLogDestination(fd = 1, maxWriteBytes = Number.POSITIVE_INFINITY): LogDestination {
  const sink = pino.destination({ dest: fd, sync: true });
  let pending: string[] = [];
  let scheduled = false;

  const flushSync = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    if (maxWriteBytes === Number.POSITIVE_INFINITY) {
      sink.write(lines.length === 1 ? (lines[0] as string) : lines.join(""));
      return;
    }
    let piece = "";
    let pieceBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (pieceBytes > 0 && pieceBytes + bytes > maxWriteBytes) {
        sink.write(piece);
        piece = "";
        pieceBytes = 0;
      }
      piece += line;
      pieceBytes += bytes;
    }
    if (pieceBytes > 0) sink.write(piece);
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
