// The names of the contract's calls and events, apart from their schemas: the Electron
// preload needs only these, and importing the schemas would bundle zod into every window.
// shared/contract.ts checks at compile time that its calls and events are exactly these.

export const CALL_NAMES = [
  'settings.get',
  'settings.update',
  'secret.set',
  'secret.clear',
  'connection.test',
  'demo.useServers',
  'status.get',
  'language.set',
  'watch.list',
  'watch.add',
  'watch.remove',
  'watch.refresh',
  'watch.sessionFacts',
  'recovery.forceEnd',
  'recovery.find',
  'recovery.cancel',
  'recovery.result',
  'recovery.endMany',
  'recovery.cancelEnd',
  'history.start',
  'history.cancel',
  'history.result',
  'transcript.link',
  'transcript.open',
  'ui.visibility',
  'assistance.list',
  'assistance.create',
  'assistance.addMessage',
  'assistance.complete',
  'interactions.list',
  'assistance.loginAgain',
  'audit.entries',
  'audit.verify',
  'supervise.list',
  'supervise.accept',
  'supervise.ignore',
  'supervise.answer',
  'supervise.retry',
  'agents.list',
  'agents.interactions',
  'agents.closeInteractions',
] as const;

export const EVENT_NAMES = [
  'watch.changed',
  'watch.listed',
  'history.progress',
  'history.done',
  'recovery.progress',
  'recovery.done',
  'recovery.outcome',
  'recovery.ended',
  'assistance.changed',
  'assistance.alert',
  'interactions.changed',
  'connection.changed',
  'status.changed',
  'supervise.changed',
  'supervise.alert',
  'agents.changed',
  'agents.interactionsChanged',
] as const;

export type CallName = (typeof CALL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

const callNames: ReadonlySet<string> = new Set(CALL_NAMES);
const eventNames: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && callNames.has(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && eventNames.has(name);
}
