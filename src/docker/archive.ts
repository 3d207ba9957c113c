// Tar archives for the engine: files put into a container before it starts (PUT /containers/{id}/archive),
// and later image build contexts (POST /build). tar-stream writes them: pax headers for names over 100
// bytes, modes and mtimes as given, streamed entry by entry rather than built in memory.
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';

export interface ArchiveFile {
  /** Where the file lands, relative to the folder the archive is extracted in (a leading / is dropped). */
  path: string;
  content: string | Buffer;
  /** Permission bits (default 0o644); 0o600 for a file holding a secret. */
  mode?: number;
}

/**
 * A tar stream of `files`, owned by root, dated now. Entries are written as the stream is read, so a
 * large build context is never held in memory whole.
 */
export function packFiles(files: Iterable<ArchiveFile> | AsyncIterable<ArchiveFile>): Readable {
  const archive = pack();
  const mtime = new Date();
  void (async () => {
    try {
      // A build context's files are read as they are packed (an async iterable).
      for await (const file of files) {
        const name = file.path.replace(/^\/+/, '');
        if (name === '' || name.split('/').includes('..'))
          throw new Error(`not a path inside the archive: ${file.path}`);
        const body = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
        // Waits for the entry to be taken in: one file at a time in memory.
        await new Promise<void>((resolve, reject) =>
          archive.entry({ name, mode: file.mode ?? 0o644, mtime, uid: 0, gid: 0 }, body, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      }
      archive.finalize();
    } catch (error) {
      archive.destroy(error as Error);
    }
  })();
  return archive as unknown as Readable;
}
