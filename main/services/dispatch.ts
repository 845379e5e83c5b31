import {
  calls,
  events,
  isCallName,
  type CallName,
  type CallOutput,
  type CallParsedInput,
  type EventName,
  type EventPayload,
  type Result,
} from '../../shared/contract';
import { AppError, toErrorValue } from '../../shared/errors';

/** One async function per call of the contract: what both transports expose. */
export type Handlers = { [N in CallName]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> };

/** Where services push events; each transport fans them out to its windows or sockets. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The single entry from any transport: checks the name, parses the input with its schema,
 * runs the handler, and parses the output too, so nothing outside the contract (a stray
 * field, a secret by mistake) ever leaves main. No exception crosses: errors are values.
 */
export async function dispatch(handlers: Handlers, name: unknown, rawInput: unknown): Promise<Result<unknown>> {
  try {
    if (!isCallName(name)) throw new AppError('invalid_input', `Unknown call: ${String(name).slice(0, 64)}`);
    const spec = calls[name];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length ? ` (${issue.path.map(String).join('.')})` : '';
      throw new AppError('invalid_input', `Invalid input for ${name}${where}: ${issue?.message ?? 'rejected'}`);
    }
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.output.safeParse(value);
    if (!checked.success) throw new AppError('internal', `The answer to ${name} does not match the contract.`);
    return { ok: true, value: checked.data };
  } catch (e) {
    return { ok: false, error: toErrorValue(e) };
  }
}

/** Validates an event payload before any transport sends it; a bad payload is a bug, dropped loudly. */
export function checkEvent<E extends EventName>(event: E, payload: EventPayload<E>): EventPayload<E> | undefined {
  const checked = events[event].safeParse(payload);
  if (checked.success) return checked.data as EventPayload<E>;
  console.error(`companion: dropped ${event} event that does not match the contract`);
  return undefined;
}
