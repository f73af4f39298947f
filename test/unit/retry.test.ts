import type { GreenApiMethod } from '../../nodes/client/api';
import type { FailureInfo } from '../../nodes/client/errors';
import { MAX_ATTEMPTS, MAX_ATTEMPTS_429, attemptsFor, mayResend, retryWait } from '../../nodes/client/retry';
import { METHODS } from '../../nodes/GreenApi/resources/instance';

const status = (code: number, extra: Partial<FailureInfo> = {}): FailureInfo => ({ kind: 'status', status: code, ...extra });
const method = (effect: GreenApiMethod['effect']): GreenApiMethod => ({ name: `a${effect}`, verb: 'GET', perSecond: 1, published: true, effect });
const reads = method('reads');
const changes = method('changes');
const files = method('files');

describe('retry policy', () => {
	it.each([429, 499, 502, 503, 504])('sends a request again after %i, whatever it does unless it files something', (code) => {
		for (const m of [reads, changes]) expect(retryWait(m, status(code), 1)).toBeGreaterThan(0);
		expect(retryWait(files, status(code), 1)).toBeUndefined();
	});

	it.each([400, 401, 403, 404, 466, 500])('never sends a request again after %i', (code) => {
		expect(retryWait(reads, status(code), 1)).toBeUndefined();
	});

	it('after a dropped connection sends again only what reads: the request may have arrived', () => {
		expect(retryWait(reads, { kind: 'dropped' }, 1)).toBeGreaterThan(0);
		expect(retryWait(changes, { kind: 'dropped' }, 1)).toBeUndefined();
		expect(retryWait(files, { kind: 'dropped' }, 1)).toBeUndefined();
	});

	it.each(['timeout', 'refused', 'dns', 'network', 'empty', 'notJson'] as const)('does not send again after %s (not a matter of seconds)', (kind) => {
		expect(mayResend(reads, { kind })).toBe(false);
	});

	it('gives up after MAX_ATTEMPTS attempts in all', () => {
		expect(MAX_ATTEMPTS).toBe(4);
		expect(retryWait(reads, status(503), 3)).toBeDefined();
		expect(retryWait(reads, status(503), 4)).toBeUndefined();
		expect(retryWait(reads, { kind: 'dropped' }, 4)).toBeUndefined();
	});

	it('gives a 429 (which did nothing) 8 attempts in all, other statuses still 4', () => {
		expect(MAX_ATTEMPTS_429).toBe(8);
		expect(retryWait(reads, status(429), 7)).toBeDefined();
		expect(retryWait(reads, status(429), 8)).toBeUndefined();
		expect(retryWait(reads, status(502), 4)).toBeUndefined();
		expect(attemptsFor(reads, status(499))).toBe(4);
	});

	it('backs off up to 10 s for the later 429 attempts: at most ~35 s of waiting in all', () => {
		let total = 0;
		for (let attempt = 1; attempt < MAX_ATTEMPTS_429; attempt++) {
			const wait = retryWait(reads, status(429), attempt, () => 0.999)!;
			expect(wait).toBeLessThanOrEqual(10_000);
			total += wait;
		}
		expect(total).toBeLessThanOrEqual(35_500);
		expect(total).toBeGreaterThan(30_000);
	});

	it('never sends unban twice: it files an appeal', () => {
		expect(METHODS.unban.effect).toBe('files');
		expect(attemptsFor(METHODS.unban, status(429))).toBe(1);
		expect(attemptsFor(METHODS.unban, { kind: 'dropped' })).toBe(1);
	});

	it('waits what Retry-After says, at most a minute', () => {
		expect(retryWait(reads, status(429, { retryAfterMs: 2000 }), 1)).toBe(2000);
		expect(retryWait(reads, status(429, { retryAfterMs: 600_000 }), 1)).toBe(60_000);
	});

	it('backs off exponentially with jitter: half to all of 0.5 s, 1 s, 2 s', () => {
		for (let attempt = 1; attempt <= 3; attempt++) {
			const base = 500 * 2 ** (attempt - 1);
			expect(retryWait(reads, status(502), attempt, () => 0)).toBe(base / 2);
			expect(retryWait(reads, status(502), attempt, () => 0.5)).toBe((base * 3) / 4);
		}
	});
});
