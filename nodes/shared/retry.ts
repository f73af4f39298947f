/**
 * The retry policy of the package, whole: what is sent again, how often, how long to wait
 * between attempts, and what is never sent again. transport.ts asks `retryWait` after each
 * failed attempt and does what it says.
 */
import type { GreenApiMethod } from './api';
import type { FailureInfo } from './errors';

/** Statuses GREEN-API documents as passing: rate limit, client gave up, gateway trouble. */
export const RETRYABLE_STATUSES = [429, 499, 502, 503];

/** Attempts in all for a retryable answer (GREEN-API advises up to 3 repeats for 502). */
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
 * Methods that change something on every call are sent exactly once, whatever the answer.
 * Unban files an appeal with WhatsApp: a repeat would file a second one.
 */
export const NEVER_RESENT: ReadonlySet<GreenApiMethod> = new Set<GreenApiMethod>(['unban']);

/** Only answers GREEN-API itself marks as passing are retried; timeouts and network errors are not. */
export function isRetryable(info: FailureInfo): boolean {
	return info.kind === 'status' && RETRYABLE_STATUSES.includes(info.status ?? 0);
}

/** How many attempts a method gets for a retryable failure (`status`: the last answer's). */
export function attemptsFor(method: GreenApiMethod, status?: number): number {
	if (NEVER_RESENT.has(method)) return 1;
	return status === 429 ? MAX_ATTEMPTS_429 : MAX_ATTEMPTS;
}

/**
 * After failed attempt number `attempt` (1-based): the milliseconds to wait before the next
 * attempt, or undefined to give up. GREEN-API's Retry-After wins; otherwise exponential
 * backoff with jitter, so items that failed together do not come back together.
 */
export function retryWait(method: GreenApiMethod, info: FailureInfo, attempt: number): number | undefined {
	if (attempt >= attemptsFor(method, info.status) || !isRetryable(info)) return undefined;
	if (info.retryAfterMs !== undefined) return Math.min(info.retryAfterMs, RETRY_AFTER_MAX_MS);
	const base = Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
	return base / 2 + Math.random() * (base / 2);
}
