// `npm run bench`: measures, prints one table. Tests never assert timings; this does not either.
// `npm run bench -- renderer` (or any of the names below) runs only those groups.
import { benchHistoryWalk, benchRoundTrip, benchSignatures } from './diyalog.bench';
import { benchAssistanceMessaging } from './icws.bench';
import { benchStuckFinder } from './recovery.bench';
import { benchAudit } from './audit.bench';
import { benchRenderer } from './renderer.bench';
import { benchSupervisorAnswer } from './supervisor.bench';
import { formatTable, type BenchRow } from './table';

const groups: Record<string, () => BenchRow[] | Promise<BenchRow[]>> = {
  signatures: benchSignatures,
  'round-trip': benchRoundTrip,
  'history-walk': benchHistoryWalk,
  'stuck-finder': benchStuckFinder,
  audit: benchAudit,
  assistance: benchAssistanceMessaging,
  supervisor: benchSupervisorAnswer,
  renderer: benchRenderer,
};
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = only.filter((name) => !(name in groups));
if (unknown.length > 0) throw new Error(`unknown bench group ${unknown.join(', ')}: one of ${Object.keys(groups).join(', ')}`);

const rows: BenchRow[] = [];
for (const [name, run] of Object.entries(groups)) if (only.length === 0 || only.includes(name)) rows.push(...(await run()));
console.log(formatTable(rows));
