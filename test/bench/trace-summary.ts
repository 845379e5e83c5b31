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

interface Span {
  name: string;
  ts: number;
  end: number;
  cpu: number;
}

interface ParsedTrace {
  events: TraceEvent[];
  threadName: Map<string, string>;
  /** Complete spans per thread (`pid:tid`), B/E pairs turned into spans, in start order (outer first). */
  spans: Map<string, Span[]>;
}

function parseTrace(json: string): ParsedTrace {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threadName = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threadName.set(`${e.pid}:${e.tid}`, e.args.name);
  const spans = new Map<string, Span[]>();
  const open = new Map<string, TraceEvent[]>();
  const add = (key: string, span: Span) => {
    const list = spans.get(key) ?? [];
    list.push(span);
    spans.set(key, list);
  };
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && e.dur !== undefined) add(key, { name: e.name, ts: e.ts, end: e.ts + e.dur, cpu: e.tdur ?? e.dur });
    else if (e.ph === 'B') {
      const stack = open.get(key) ?? [];
      stack.push(e);
      open.set(key, stack);
    } else if (e.ph === 'E') {
      const begin = open.get(key)?.pop();
      if (begin) add(key, { name: begin.name, ts: begin.ts, end: e.ts, cpu: e.ts - begin.ts });
    }
  }
  for (const list of spans.values()) list.sort((a, b) => a.ts - b.ts || b.end - a.end);
  return { events, threadName, spans };
}

/** CPU of the top-level spans (not inside another span of the thread) that start in [from, to). */
function topLevelCpu(list: Span[], from = -Infinity, to = Infinity): number {
  let cpu = 0;
  let until = -Infinity;
  for (const s of list) {
    if (s.ts < until) continue;
    until = s.end;
    if (s.ts >= from && s.ts < to) cpu += s.cpu;
  }
  return cpu;
}

/** Self CPU by kind and by name of one thread's spans whose top-level span starts in [from, to). */
function selfTimes(list: Span[], from = -Infinity, to = Infinity): { kinds: Record<Kind, number>; byName: Map<string, number> } {
  const kinds = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const byName = new Map<string, number>();
  // Self CPU time: a span's CPU less its direct children's.
  const stack: { name: string; end: number; self: number; counted: boolean }[] = [];
  const close = (upTo: number) => {
    while (stack.length > 0 && (stack.at(-1) as { end: number }).end <= upTo) {
      const done = stack.pop() as { name: string; self: number; counted: boolean };
      if (!done.counted) continue;
      kinds[kindOf(done.name)] += Math.max(0, done.self) / 1000;
      byName.set(done.name, (byName.get(done.name) ?? 0) + Math.max(0, done.self) / 1000);
    }
  };
  for (const s of list) {
    close(s.ts);
    const parent = stack.at(-1);
    if (parent) parent.self -= s.cpu;
    stack.push({ name: s.name, end: s.end, self: s.cpu, counted: parent ? parent.counted : s.ts >= from && s.ts < to });
  }
  close(Infinity);
  return { kinds, byName };
}

function otherThreads(trace: ParsedTrace, mainKey: string, from = -Infinity, to = Infinity): [string, number][] {
  const threads = new Map<string, number>();
  for (const [key, list] of trace.spans) {
    if (key === mainKey) continue;
    const name = (trace.threadName.get(key) ?? 'unnamed').replace(/\d+$/, '');
    threads.set(name, (threads.get(name) ?? 0) + topLevelCpu(list, from, to) / 1000);
  }
  return [...threads].filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]);
}

export function summarizeTrace(json: string): TraceSummary {
  const trace = parseTrace(json);
  // The page's main thread: the renderer main thread that worked the most.
  let mainKey = '';
  let mainBusy = -1;
  for (const [key, list] of trace.spans) {
    const cpu = topLevelCpu(list);
    if (trace.threadName.get(key) === 'CrRendererMain' && cpu > mainBusy) {
      mainBusy = cpu;
      mainKey = key;
    }
  }
  const list = trace.spans.get(mainKey) ?? [];
  const { kinds, byName } = selfTimes(list);
  return {
    main: kinds,
    mainTotal: topLevelCpu(list) / 1000,
    threads: otherThreads(trace, mainKey),
    top: [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12),
  };
}

export interface LoadSummary {
  /** Milestones of the load in ms from navigation start, in order. */
  milestones: [string, number][];
  /** The page's main thread from navigation start to `endMark`: CPU ms by kind, and in all. */
  main: Record<Kind, number>;
  mainTotal: number;
  /** Other threads' CPU ms over the same time, largest first. */
  threads: [string, number][];
}

/**
 * A traced page load, from the navigation to an http(s) page until the performance mark
 * `endMark`: when the page's modules ran, the WebSocket opened, the first paint, and where
 * the main thread's CPU went meanwhile. Null when the trace has no such navigation or mark.
 */
export function summarizeLoad(json: string, endMark: string): LoadSummary | null {
  const trace = parseTrace(json);
  const navigation = trace.events.filter((e) => e.name === 'navigationStart' && /"documentLoaderURL":"http/.test(JSON.stringify(e.args ?? {}))).at(-1);
  if (!navigation) return null;
  const key = `${navigation.pid}:${navigation.tid}`;
  const t0 = navigation.ts;
  const mine = (e: TraceEvent) => e.pid === navigation.pid && e.ts >= t0;
  const end = trace.events.find((e) => mine(e) && e.name === endMark);
  if (!end) return null;
  const at = (name: string, last = false) => {
    const found = trace.events.filter((e) => mine(e) && e.name === name && e.ts <= end.ts);
    const e = last ? found.at(-1) : found[0];
    return e ? (e.ts - t0) / 1000 : undefined;
  };
  const list = trace.spans.get(key) ?? [];
  const modules = list.filter((s) => s.name === 'v8.evaluateModule' && s.ts >= t0 && s.ts <= end.ts);
  const marks: [string, number | undefined][] = [
    ['HTML parsing starts', at('ParseHTML')],
    ['modules start', modules[0] ? (modules[0].ts - t0) / 1000 : undefined],
    ['WebSocket created', at('WebSocketCreate')],
    ['modules end', modules.length > 0 ? (Math.max(...modules.map((s) => s.end)) - t0) / 1000 : undefined],
    ['WebSocket open', at('WebSocketReceiveHandshakeResponse')],
    ['first contentful paint', at('firstContentfulPaint')],
    [endMark, (end.ts - t0) / 1000],
  ];
  const { kinds } = selfTimes(list, t0, end.ts);
  return {
    milestones: marks.filter((m): m is [string, number] => m[1] !== undefined),
    main: kinds,
    mainTotal: topLevelCpu(list, t0, end.ts) / 1000,
    threads: otherThreads(trace, key, t0, end.ts),
  };
}
