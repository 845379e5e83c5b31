// `npm run bench`: measures, prints one table. Tests never assert timings; this does not either.
import { benchHistoryWalk, benchRoundTrip, benchSignatures } from './diyalog.bench';
import { benchAssistanceMessaging } from './icws.bench';
import { benchStuckFinder } from './recovery.bench';
import { benchRenderer } from './renderer.bench';
import { formatTable, type BenchRow } from './table';

const rows: BenchRow[] = [];
rows.push(...benchSignatures());
rows.push(...(await benchRoundTrip()));
rows.push(...(await benchHistoryWalk()));
rows.push(...(await benchStuckFinder()));
rows.push(...(await benchAssistanceMessaging()));
rows.push(...(await benchRenderer()));
console.log(formatTable(rows));
