/**
 * Standard output as the CLI uses it: every write is tracked until the system has taken it, and a
 * failed write (a full disk, EIO, a closed pipe) is remembered instead of thrown from an 'error'
 * event, so main can wait for the output and fail the run in one line. A report that was not
 * written is not a pass.
 */
import type { Writable } from 'node:stream';

export class TrackedOutput {
  private readonly stream: Writable;
  private pending = 0;
  private drained: (() => void)[] = [];
  private failure: NodeJS.ErrnoException | undefined;

  constructor(stream: Writable) {
    this.stream = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
  }

  write(text: string): void {
    if (this.failure || text === '') return;
    this.pending++;
    this.stream.write(text, (error) => {
      if (error) this.fail(error);
      if (--this.pending === 0) for (const resolve of this.drained.splice(0)) resolve();
    });
  }

  /** Once every write has been taken (or failed): the first failure, if any. */
  async finished(): Promise<NodeJS.ErrnoException | undefined> {
    if (this.pending > 0 && !this.failure) await new Promise<void>((resolve) => this.drained.push(resolve));
    return this.failure;
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.failure ??= error;
    for (const resolve of this.drained.splice(0)) resolve();
  }
}
