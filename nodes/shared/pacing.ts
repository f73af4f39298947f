import { sleep } from 'n8n-workflow';

/**
 * Sending at exactly the documented rate leaves no room for network jitter against a
 * one-second window; 5% below it keeps clear of 429s and still delivers 95% of the limit.
 */
export const PACING_MARGIN = 1.05;

/** Turns closer than this to their time are given at once: timers cannot wait less than 1 ms. */
const TIMER_RESOLUTION_MS = 1;
/**
 * The first request after a pause can reach GREEN-API this much later than the ones after it:
 * it opens a connection (TCP and TLS handshakes) and runs code paths for the first time. The
 * window rule counts that turn as taken this much later, so the requests that follow on warm
 * connections cannot crowd into its second.
 */
const COLD_START_MS = 100;
/** Bookkeeping bound for very high rates (only benchmarks set them). */
const MAX_WINDOW_TURNS = 1000;

/**
 * Hands out send times for one instance and method, in call order. Requests overlap in
 * flight, so throughput follows the rate limit, not the round-trip time.
 *
 * Two rules, both from the times turns were really taken (not when they were asked for):
 * - even spacing: one turn per interval, kept on schedule (a turn a little late does not
 *   delay the ones after it, so timer lateness does not add up);
 * - a sliding window like GREEN-API's: the last `perWindow` turns span at least
 *   `perWindow` intervals (10 in 1050 ms at 10/s). When the event loop was busy and turns
 *   come late, the even schedule alone would let them go in a bunch right after turns that
 *   went on time; this rule holds them back, so GREEN-API never sees 11 in its second.
 *
 * The first turn after a pause waits one timer tick, so that all the requests n8n starts
 * together have queued (and done their own setup) before the first one goes; for the window
 * rule it counts as COLD_START_MS later than it was taken.
 */
export class Pacer {
	private perWindow = 1;
	private windowMs = 0;
	/** Slot of the next turn on the even schedule. */
	private nextAt = 0;
	/** Not before this (after a 429). */
	private heldUntil = 0;
	/** When the last `perWindow` turns were taken, oldest first. */
	private readonly taken: number[] = [];
	private readonly waiting: Array<() => void> = [];
	private dispatching = false;

	constructor(private intervalMs: number) {}

	setRate(perSecond: number): void {
		this.intervalMs = (1000 / perSecond) * PACING_MARGIN;
		this.perWindow = Math.max(1, Math.min(Math.floor(perSecond), MAX_WINDOW_TURNS));
		this.windowMs = this.perWindow * this.intervalMs;
		if (this.taken.length > this.perWindow) this.taken.splice(0, this.taken.length - this.perWindow);
	}

	/** Waits for this caller's turn. Turns are given in call order. */
	async turn(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.waiting.push(resolve);
			if (!this.dispatching) void this.dispatch();
		});
	}

	/** After a 429 everybody waits, not only the request that was refused. */
	holdFor(ms: number): void {
		this.heldUntil = Math.max(this.heldUntil, Date.now() + ms);
	}

	/** The earliest time the next turn may be taken. */
	private earliest(): number {
		const windowStart = this.taken.length >= this.perWindow ? this.taken[this.taken.length - this.perWindow] + this.windowMs : 0;
		return Math.max(this.nextAt, this.heldUntil, windowStart);
	}

	private async dispatch(): Promise<void> {
		this.dispatching = true;
		try {
			await sleep(0);
			let first = true;
			while (this.waiting.length > 0) {
				const wait = this.earliest() - Date.now();
				if (wait >= TIMER_RESOLUTION_MS) {
					await sleep(wait);
					continue; // a holdFor may have moved the time meanwhile
				}
				const now = Date.now();
				// On schedule, or a little late: the next slot follows this one. Idle for longer than
				// an interval (or held): the schedule starts again from now.
				const slot = now - this.nextAt < this.intervalMs ? Math.max(this.nextAt, this.heldUntil) : now;
				this.nextAt = slot + this.intervalMs;
				this.taken.push(first ? now + COLD_START_MS : now);
				first = false;
				if (this.taken.length > this.perWindow) this.taken.shift();
				this.waiting.shift()!();
			}
		} finally {
			this.dispatching = false;
		}
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
