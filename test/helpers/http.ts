// Small HTTP server behaviours shared by the download tests.
import type { ServerResponse } from 'node:http';

/** Sends `body` in `pieces` writes, `gapMs` apart, then ends: a slow server, so two clients overlap. */
export function sendSlowly(res: ServerResponse, body: Buffer, pieces: number, gapMs: number): void {
  const piece = Math.ceil(body.length / pieces);
  let sent = 0;
  const next = () => {
    res.write(body.subarray(sent, sent + piece));
    sent += piece;
    if (sent < body.length) setTimeout(next, gapMs);
    else res.end();
  };
  next();
}
