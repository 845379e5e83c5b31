// The languages of the UI. Imports nothing, so settings, the contract, the input rules and
// the catalogues can all name a language without importing one another (no import loop in
// shared/: test/unit/build/shared-imports.test.ts).
export const LANGUAGES = ['tr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
