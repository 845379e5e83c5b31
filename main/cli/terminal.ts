import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../shared/errors';
import type { CliReadable, CliStreams } from './command';

/** Reads all of stdin (for secrets piped in when there is no terminal). */
export async function readAllStdin(stdin: CliReadable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const interrupted = () => new AppError('cancelled', 'Interrupted at the prompt; nothing was done.');

/**
 * Settles with `answer`'s outcome, or rejects when `signal` aborts: the entry turns SIGTERM into
 * an abort instead of an exit, so a prompt that ignored it would wait for ever.
 */
async function unlessAborted<T>(signal: AbortSignal, answer: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
  let onAbort = () => {};
  try {
    return await new Promise<T>((resolve, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      answer(resolve, reject);
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Asks a question on the terminal (io's stdin and stderr) and returns the answer line. */
export async function ask(question: string, io: CliStreams, signal: AbortSignal): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return await unlessAborted<string>(signal, (resolve, reject) => {
      // In raw mode Ctrl-C reaches readline, not the process: without these the question
      // never settles and Node exits 13 ("unsettled top-level await"). Ctrl-D closes it.
      const abandon = () => {
        io.stderr.write('\n');
        reject(interrupted());
      };
      rl.once('SIGINT', abandon);
      rl.once('close', abandon);
      rl.question(question, (answer) => {
        rl.off('close', abandon);
        resolve(answer);
      });
    });
  } finally {
    rl.close();
  }
}

/** Reads a secret from the terminal (io's stdin, a TTY) without echoing it. */
export async function askSecret(question: string, io: CliStreams, signal: AbortSignal): Promise<string> {
  const { stdin, stderr } = io;
  // Raw mode before the prompt: a secret pasted as soon as the prompt shows must not be echoed.
  stdin.setRawMode?.(true);
  stderr.write(question);
  stdin.resume();
  // A pasted multi-byte character may arrive split across two reads.
  const decoder = new StringDecoder('utf8');
  let value = '';
  const stop: (() => void)[] = [];
  try {
    return await unlessAborted<string>(signal, (resolve, reject) => {
      const onData = (data: Buffer) => {
        for (const ch of decoder.write(data)) {
          if (ch === '\r' || ch === '\n') return resolve(value);
          if (ch === '\u0003' || (ch === '\u0004' && value === '')) return reject(interrupted());
          if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
          else if (ch >= ' ') value += ch; // Tab, Esc, Ctrl-D mid-line: not part of a secret
        }
      };
      const onEnd = () => reject(interrupted());
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      stop.push(() => stdin.off('data', onData), () => stdin.off('end', onEnd));
    });
  } finally {
    for (const s of stop) s();
    stdin.setRawMode?.(false);
    stdin.pause();
    stderr.write('\n');
  }
}
