// Every input rule of shared/validation.ts is worded in the catalogues (`rule.<rule>` in en.ts,
// and so in tr.ts): the compiler refuses a rule without words, naming it. The check lives here,
// not in en.ts, because validation.ts imports the catalogue: en.ts importing validation.ts
// back would be an import loop. Types only: nothing imports this file, tsc reads it.
import type { InputRule } from '../validation';
import type { MessageKey } from './en';

type NoneLeft<T extends never> = T;
export type UnwordedRules = NoneLeft<Exclude<`rule.${InputRule}`, MessageKey>>;
