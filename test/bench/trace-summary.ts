// Where a Chromium trace's time went: the page's main thread split by kind of work (script,
// style, layout, paint and compositing, GC, parsing, the rest), as self time so nothing is
// counted twice, and the CPU of every other thread that worked. Thread time (tdur), not wall
// time: on a shared machine a descheduled thread's wall time says nothing about the page.

interface TraceEvent {
  pid: number;
  tid: number;
  ph: string;
  name: string;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export type Kind = 'script' | 'style' | 'layout' | 'paint' | 'gc' | 'parse' | 'other';
export const KINDS: readonly Kind[] = ['script', 'style', 'layout', 'paint', 'gc', 'parse', 'other'];

const NAMED: Record<string, Kind> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  EventDispatch: 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  FireIdleCallback: 'script',
  RunMicrotasks: 'script',
  XHRReadyStateChange: 'script',
  HandlePostMessage: 'script',
  UpdateLayoutTree: 'style',
  RecalculateStyles: 'style',
  ParseAuthorStyleSheet: 'style',
  Layout: 'layout',
  'LocalFrameView::layout': 'layout',
  IntersectionObserverController: 'layout',
  Paint: 'paint',
  PrePaint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  UpdateLayerTree: 'paint',
  CompositeLayers: 'paint',
  Commit: 'paint',
  PaintImage: 'paint',
  'Decode Image': 'paint',
  ParseHTML: 'parse',
  MinorGC: 'gc',
  MajorGC: 'gc',
};

function kindOf(name: string): Kind {
  const named = NAMED[name];
  if (named) return named;
  if (/GC|BlinkGC|CppGC|Scavenge|MarkCompact/i.test(name)) return 'gc';
  if (/^v8[._]|^V8\./.test(name)) return 'script';
  if (/Style|LayoutTree/.test(name)) return 'style';
  if (/Layout|layout/.test(name)) return 'layout';
  if (/Paint|Raster|Composit|Layeriz|CullRect|DisplayItem/.test(name)) return 'paint';
  return 'other';
}

export interface TraceSummary {
  /** The page's main thread, CPU ms by kind (self time). */
  main: Record<Kind, number>;
  /** CPU ms of the page's main thread's top-level tasks. */
  mainTotal: number;
  /** CPU ms of every other busy thread, by thread name (all processes), largest first. */
  threads: [string, number][];
  /** Names on the main thread with the most self CPU ms, largest first. */
  top: [string, number][];
}

export function summarizeTrace(json: string): TraceSummary {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threadName = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threadName.set(`${e.pid}:${e.tid}`, e.args.name);

  // Complete spans per thread, B/E pairs turned into spans.
  const spans = new Map<string, { name: string; ts: number; end: number; cpu: number }[]>();
  const open = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && e.dur !== undefined) {
      const list = spans.get(key) ?? [];
      list.push({ name: e.name, ts: e.ts, end: e.ts + e.dur, cpu: e.tdur ?? e.dur });
      spans.set(key, list);
    } else if (e.ph === 'B') {
      const stack = open.get(key) ?? [];
      stack.push(e);
      open.set(key, stack);
    } else if (e.ph === 'E') {
      const begin = open.get(key)?.pop();
      if (!begin) continue;
      const list = spans.get(key) ?? [];
      list.push({ name: begin.name, ts: begin.ts, end: e.ts, cpu: e.ts - begin.ts });
      spans.set(key, list);
    }
  }

  // The page's main thread: the renderer main thread that worked the most.
  let mainKey = '';
  let mainBusy = -1;
  const threadCpu = new Map<string, number>();
  for (const [key, list] of spans) {
    const name = threadName.get(key) ?? 'unnamed';
    // Top-level CPU: spans not inside another span of the same thread.
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    let cpu = 0;
    let until = -Infinity;
    for (const s of list) {
      if (s.ts >= until) {
        cpu += s.cpu;
        until = s.end;
      }
    }
    threadCpu.set(key, cpu);
    if (name === 'CrRendererMain' && cpu > mainBusy) {
      mainBusy = cpu;
      mainKey = key;
    }
  }

  const main = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const byName = new Map<string, number>();
  const list = spans.get(mainKey) ?? [];
  // Self CPU time: a span's CPU less its direct children's.
  const stack: { name: string; end: number; self: number }[] = [];
  const close = (upTo: number) => {
    while (stack.length > 0 && (stack.at(-1) as { end: number }).end <= upTo) {
      const done = stack.pop() as { name: string; self: number };
      main[kindOf(done.name)] += Math.max(0, done.self) / 1000;
      byName.set(done.name, (byName.get(done.name) ?? 0) + Math.max(0, done.self) / 1000);
    }
  };
  for (const s of list) {
    close(s.ts);
    const parent = stack.at(-1);
    if (parent) parent.self -= s.cpu;
    stack.push({ name: s.name, end: s.end, self: s.cpu });
  }
  close(Infinity);

  const threads = new Map<string, number>();
  for (const [key, cpu] of threadCpu) {
    if (key === mainKey) continue;
    const name = (threadName.get(key) ?? 'unnamed').replace(/\d+$/, '');
    threads.set(name, (threads.get(name) ?? 0) + cpu / 1000);
  }
  return {
    main,
    mainTotal: (threadCpu.get(mainKey) ?? 0) / 1000,
    threads: [...threads].filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]),
    top: [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12),
  };
}
