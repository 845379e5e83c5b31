// A second process appending to the same audit log, as the `companion` command does while
// the app runs: node --import tsx audit-writer.ts <dataDir> <count> <tag>
// Prints "ready" and waits for a line on stdin, so two writers start appending together.

import { createInterface } from 'node:readline';
import { AuditLog } from '../../../main/store/audit';

const [dir, countText, tag] = process.argv.slice(2);
if (!dir || !countText || !tag) throw new Error('usage: audit-writer.ts <dataDir> <count> <tag>');
const log = new AuditLog(dir);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
for (let i = 0; i < Number(countText); i++) {
  const id = await log.recordIntent({ actor: '45186', customerId: `${tag}${i}`, staffId: '45001', reason: `${tag} ${'x'.repeat(300)} ${i}` });
  await log.recordOutcome(id, { outcome: i % 2 ? 'ended' : 'unknown', message: 'm'.repeat(200) });
}
process.stdout.write('done\n');
