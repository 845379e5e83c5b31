// The `companion` executable (built to out/cli/companion.js, package.json `bin`): the one file
// that touches the process. It hands runCli the real streams, turns SIGINT and SIGTERM into an
// abort (commands stop cleanly, a force-end settles its audit entry), and sets the exit code.

import { runCli } from './companion';

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const interrupt = new AbortController();
const onSignal = () => interrupt.abort();
// `once`: a second Ctrl-C, while the command is still winding down, ends the process outright.
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  process.exitCode = await runCli(process.argv.slice(2), process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    // Read on first use: a command that never reads stdin leaves it alone.
    get stdin() {
      return process.stdin;
    },
    interrupt: interrupt.signal,
  });
} finally {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
