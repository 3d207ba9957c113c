// Bytes for COPY written into fixed 256 KB buffers and handed on whole: the CSV and the binary COPY
// writers share this, so a row costs no allocation and the COPY stream gets few, large chunks.

const CHUNK = 256 * 1024;

export class ChunkedOut {
  protected buffer = Buffer.allocUnsafe(CHUNK);
  protected position = 0;
  private readonly filled: Buffer[] = [];

  /** The buffers filled so far (the COPY stream keeps them, so each is handed on once). */
  take(): Buffer[] {
    return this.filled.splice(0);
  }

  /** Ends the current buffer: what is left to hand on, with take(). */
  finish(): void {
    if (this.position > 0) this.filled.push(this.buffer.subarray(0, this.position));
    this.buffer = Buffer.allocUnsafe(CHUNK);
    this.position = 0;
  }

  /** Makes room for n more bytes; a row may be split across buffers (COPY reads one stream). */
  protected room(n: number): void {
    if (this.position + n <= this.buffer.length) return;
    this.finish();
    if (n > this.buffer.length) this.buffer = Buffer.allocUnsafe(n);
  }
}
