import {
  calls,
  events,
  isCallName,
  type CallName,
  type CallOutput,
  type CallParsedInput,
  type EventName,
  type EventPayload,
  type Language,
  type Result,
} from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { translate } from '../../shared/i18n';
import { formatInputError, toLocalizedErrorValue } from '../../shared/validation';

/** One async function per call of the contract: what both transports expose. */
export type Handlers = { [N in CallName]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> };

/** Where services push events; each transport fans them out to its windows or sockets. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The single entry from any transport: checks the name, parses the input with its schema,
 * runs the handler, and parses the output too, so nothing outside the contract (a stray
 * field, a secret by mistake) ever leaves main. No exception crosses: errors are values.
 * `language` words input errors (the user's setting: status.language); English without it.
 */
export async function dispatch(handlers: Handlers, name: unknown, rawInput: unknown, language: Language = 'en'): Promise<Result<unknown>> {
  try {
    if (!isCallName(name)) throw new AppError('invalid_input', translate(language, 'input.unknownCall', { name: String(name).slice(0, 64) }));
    const spec = calls[name];
    const input = rawInput ?? {};
    const parsed = spec.input.safeParse(input);
    // Worded by the one formatter, in the user's language: "Geçersiz müşteri numarası: Boş olamaz."
    if (!parsed.success) return { ok: false, error: formatInputError(parsed.error, language, undefined, { value: input }) };
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.output.safeParse(value);
    if (!checked.success) throw new AppError('internal', `The answer to ${name} does not match the contract.`);
    return { ok: true, value: checked.data };
  } catch (e) {
    return { ok: false, error: toLocalizedErrorValue(e, language) };
  }
}

/** Validates an event payload before any transport sends it; a bad payload is a bug, dropped loudly. */
export function checkEvent<E extends EventName>(event: E, payload: EventPayload<E>): EventPayload<E> | undefined {
  const checked = events[event].safeParse(payload);
  if (checked.success) return checked.data as EventPayload<E>;
  console.error(`companion: dropped ${event} event that does not match the contract`);
  return undefined;
}
