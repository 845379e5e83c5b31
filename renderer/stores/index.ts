// Every store of the app, built over one transport. main.ts builds them once and hands
// them to App.svelte, which puts them in the component context for the views.

import { Disposables } from '../../shared/disposables';
import type { RendererApi } from '../bridge';
import { AssistanceStore, type AssistanceStoreOptions } from './assistance.svelte';
import { AgentsStore } from './agents.svelte';
import { AuditStore } from './audit.svelte';
import { HistoryStore, type HistoryStoreOptions } from './history.svelte';
import { NavigationStore } from './navigation.svelte';
import { RecoveryStore } from './recovery.svelte';
import { SettingsStore } from './settings.svelte';
import { StatusStore } from './status.svelte';
import { SuperviseStore, type SuperviseStoreOptions } from './supervise.svelte';
import { WatchStore } from './watch.svelte';

export interface Stores {
  status: StatusStore;
  watch: WatchStore;
  history: HistoryStore;
  assistance: AssistanceStore;
  settings: SettingsStore;
  audit: AuditStore;
  recovery: RecoveryStore;
  supervise: SuperviseStore;
  agents: AgentsStore;
  navigation: NavigationStore;
}

export interface StoreOptions extends HistoryStoreOptions, AssistanceStoreOptions, Pick<SuperviseStoreOptions, 'notifySupervisor'> {
  visible?: () => boolean;
}

export function createStores(api: RendererApi, options: StoreOptions = {}): Stores {
  return {
    status: new StatusStore(api, options.visible ? { visible: options.visible } : {}),
    watch: new WatchStore(api),
    history: new HistoryStore(api, options),
    assistance: new AssistanceStore(api, options.notify ? { notify: options.notify } : {}),
    settings: new SettingsStore(api),
    audit: new AuditStore(api, options.download ? { download: options.download } : {}),
    recovery: new RecoveryStore(api),
    supervise: new SuperviseStore(api, options.notifySupervisor ? { notifySupervisor: options.notifySupervisor } : {}),
    agents: new AgentsStore(api),
    navigation: new NavigationStore(),
  };
}

/** Starts every store's subscriptions and first loads; returns the stop. */
export function startStores(stores: Stores): () => void {
  const teardown = new Disposables();
  teardown.addAll(stores.status.start(), stores.watch.start(), stores.history.start(), stores.assistance.start(), stores.settings.start(), stores.recovery.start(), stores.supervise.start(), stores.agents.start());
  return () => teardown.dispose();
}
