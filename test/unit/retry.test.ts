import { MAX_ATTEMPTS, MAX_ATTEMPTS_429, NEVER_RESENT, attemptsFor, isRetryable, retryWait } from '../../nodes/shared/retry';
import type { FailureInfo } from '../../nodes/shared/errors';

const status = (code: number, extra: Partial<FailureInfo> = {}): FailureInfo => ({ kind: 'status', status: code, ...extra });

describe('retry policy', () => {
	it.each([429, 499, 502, 503])('retries %i', (code) => {
		expect(isRetryable(status(code))).toBe(true);
		expect(retryWait('checkWhatsapp', status(code), 1)).toBeGreaterThan(0);
	});

	it.each([400, 401, 403, 404, 466, 500])('never retries %i', (code) => {
		expect(retryWait('checkWhatsapp', status(code), 1)).toBeUndefined();
	});

	it.each(['timeout', 'refused', 'reset', 'dns', 'network', 'empty', 'notJson'] as const)('does not retry %s', (kind) => {
		expect(retryWait('getStateInstance', { kind }, 1)).toBeUndefined();
	});

	it('gives up after MAX_ATTEMPTS attempts in all', () => {
		expect(MAX_ATTEMPTS).toBe(4);
		expect(retryWait('getStateInstance', status(503), 3)).toBeDefined();
		expect(retryWait('getStateInstance', status(503), 4)).toBeUndefined();
	});

	it('gives a 429 (which did nothing) 8 attempts in all, other statuses still 4', () => {
		expect(MAX_ATTEMPTS_429).toBe(8);
		expect(retryWait('checkWhatsapp', status(429), 4)).toBeDefined();
		expect(retryWait('checkWhatsapp', status(429), 7)).toBeDefined();
		expect(retryWait('checkWhatsapp', status(429), 8)).toBeUndefined();
		expect(retryWait('checkWhatsapp', status(502), 4)).toBeUndefined();
		expect(retryWait('checkWhatsapp', status(499), 4)).toBeUndefined();
	});

	it('backs off up to 10 s for the later 429 attempts: at most ~35 s of waiting in all', () => {
		let total = 0;
		for (let attempt = 1; attempt < MAX_ATTEMPTS_429; attempt++) {
			const wait = retryWait('checkWhatsapp', status(429), attempt)!;
			expect(wait).toBeLessThanOrEqual(10_000);
			total += wait;
		}
		expect(total).toBeLessThanOrEqual(35_500);
	});

	it('never sends unban twice: it files an appeal', () => {
		expect(NEVER_RESENT.has('unban')).toBe(true);
		expect(attemptsFor('unban')).toBe(1);
		expect(retryWait('unban', status(502), 1)).toBeUndefined();
		expect(retryWait('unban', status(429), 1)).toBeUndefined();
		expect(attemptsFor('unban', 429)).toBe(1);
	});

	it('waits what Retry-After says, at most a minute', () => {
		expect(retryWait('qr', status(429, { retryAfterMs: 2000 }), 1)).toBe(2000);
		expect(retryWait('qr', status(429, { retryAfterMs: 600_000 }), 1)).toBe(60_000);
	});

	it('backs off exponentially with jitter: half to all of 0.5 s, 1 s, 2 s', () => {
		for (let attempt = 1; attempt <= 3; attempt++) {
			const base = 500 * 2 ** (attempt - 1);
			for (let i = 0; i < 20; i++) {
				const wait = retryWait('checkWhatsapp', status(502), attempt)!;
				expect(wait).toBeGreaterThanOrEqual(base / 2);
				expect(wait).toBeLessThanOrEqual(base);
			}
		}
	});
});
