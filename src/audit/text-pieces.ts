/**
 * Longest piece of export text handed to the HTTP response at once, in UTF-16 code units.
 *
 * V8 allocates a string above its regular-object limit (128 KiB) as a large object, and a large
 * object still in use at a minor GC is promoted to the old generation at once, where only a full
 * GC frees it. An export keeps one piece in flight nearly all the time, so whole-batch pieces
 * (~700 KB for 1,000 events) were promoted one after another and old-space garbage built up to
 * the next full GC (about +50 MB of RSS on a 1,000,000-event export). A smaller piece is copied
 * within the young generation and dies there. 60,000 code units stay under the limit even for a
 * two-byte string, once flattened for the socket.
 */
export const PIECE_MAX_CHARS = 60_000;

/**
 * Concatenates `lines` (each with its terminator) into pieces of at most PIECE_MAX_CHARS; a single
 * longer line becomes a piece of its own. Joining many lines per piece keeps the number of socket
 * writes low.
 */
export function* textPieces(lines: Iterable<string>): Generator<string, void, undefined> {
  let piece = "";
  for (const line of lines) {
    if (piece.length > 0 && piece.length + line.length > PIECE_MAX_CHARS) {
      yield piece;
      piece = "";
    }
    piece += line;
  }
  if (piece.length > 0) yield piece;
}
