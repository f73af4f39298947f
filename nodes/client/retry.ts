/**
 * The retry policy of the package: which failed requests are sent again, how often, and how long
 * to wait in between. Which failures pass is decided in errors.ts (howItPasses); what a method
 * may bear is its `effect` (api.ts). transport.ts asks `retryWait` after each failed attempt.
 */
import type { GreenApiMethod } from './api';
import { howItPasses } from './errors';
import type { FailureInfo } from './errors';

/** Attempts in all for a failure that passes soon (GREEN-API advises up to 3 repeats for 502). */
export const MAX_ATTEMPTS = 4;

/**
 * Attempts in all for a 429. A 429 did nothing (it files nothing and costs no quota), and when
 * several n8n processes share an instance an item can meet a full window several times in a
 * row while the pacers find their shares: it gets more tries (backoff up to ~35 s in all).
 */
export const MAX_ATTEMPTS_429 = 8;

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** A Retry-After longer than this is cut short: the user sees the failure instead of a hang. */
const RETRY_AFTER_MAX_MS = 60_000;

/**
 * Whether the request may go out again after this failure. A method that files something is
 * sent once, whatever happens. A dropped connection may have reached GREEN-API, so only a method
 * that reads is repeated after one; an error status says GREEN-API did nothing.
 */
export function mayResend(method: GreenApiMethod, info: FailureInfo): boolean {
	if (method.effect === 'files' || howItPasses(info) !== 'soon') return false;
	return info.kind === 'status' || method.effect === 'reads';
}

/** How many attempts a method gets for this failure (the last one's). */
export function attemptsFor(method: GreenApiMethod, info: FailureInfo): number {
	if (!mayResend(method, info)) return 1;
	return info.status === 429 ? MAX_ATTEMPTS_429 : MAX_ATTEMPTS;
}

/**
 * After failed attempt number `attempt` (1-based): the milliseconds to wait before the next
 * attempt, or undefined to give up. GREEN-API's Retry-After wins; otherwise exponential
 * backoff with jitter (`random` in [0, 1)), so items that failed together do not come back together.
 */
export function retryWait(method: GreenApiMethod, info: FailureInfo, attempt: number, random: () => number = Math.random): number | undefined {
	if (attempt >= attemptsFor(method, info)) return undefined;
	if (info.retryAfterMs !== undefined) return Math.min(info.retryAfterMs, RETRY_AFTER_MAX_MS);
	const base = Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
	return base / 2 + random() * (base / 2);
}
