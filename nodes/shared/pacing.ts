import { sleep } from 'n8n-workflow';

/**
 * Sending at exactly the documented rate leaves no room for network jitter against a
 * one-second window; 5% below it keeps clear of 429s and still delivers 95% of the limit.
 */
export const PACING_MARGIN = 1.05;

/**
 * Hands out send times spaced evenly for one instance and method. Requests overlap in
 * flight, so throughput follows the rate limit, not the round-trip time.
 */
export class Pacer {
	private nextAt = 0;

	constructor(private intervalMs: number) {}

	setRate(perSecond: number): void {
		this.intervalMs = (1000 / perSecond) * PACING_MARGIN;
	}

	/** Waits for this caller's turn. Turns are given in call order. */
	async turn(): Promise<void> {
		const now = Date.now();
		const at = Math.max(now, this.nextAt);
		this.nextAt = at + this.intervalMs;
		if (at > now) await sleep(at - now);
	}

	/** After a 429 everybody waits, not only the request that was refused. */
	holdFor(ms: number): void {
		this.nextAt = Math.max(this.nextAt, Date.now() + ms);
	}
}

// One table per n8n process: every execution of every workflow shares the instance's limits.
const pacers = new Map<string, Pacer>();

export function pacerFor(key: string, perSecond: number): Pacer {
	let pacer = pacers.get(key);
	if (pacer === undefined) {
		pacer = new Pacer(0);
		pacers.set(key, pacer);
	}
	pacer.setRate(perSecond);
	return pacer;
}
