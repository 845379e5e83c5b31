// Which section the window shows. App.svelte renders it; a screen may send the user to
// another one (from an agent on the Agents board to History or Recovery, already filtered).

export const TAB_IDS = ['watch', 'history', 'assistance', 'audit', 'settings', 'recovery', 'supervise', 'agents'] as const;
export type TabId = (typeof TAB_IDS)[number];

export class NavigationStore {
  current = $state<TabId>('watch');

  go(tab: TabId): void {
    this.current = tab;
  }
}
