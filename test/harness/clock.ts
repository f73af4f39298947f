/**
 * A virtual clock for engine tests, set through the nodes' one time seam (nodes/shared/clock.ts):
 * the nodes' waits (pacing, retry backoff) pass at once, so a test that polls an instance five
 * times at GREEN-API's 1 request/s, or lets an item meet eight 429s, does not wait ~35 s for it.
 *
 * Virtual time is real time plus the time skipped so far. A sleep skips ahead to its wake-up
 * time only while no HTTP request is open in this process (watched through Node's
 * diagnostics_channel); while one is, time runs at real speed. So a request given its turn
 * reaches the sandbox and is answered at the virtual time it was sent, and the next turn's wait
 * is skipped only after that: the sandbox, which reads the same clock (`startSandbox({ now:
 * clock.now })`), sees the requests exactly as far apart as the pacer spaced them, and its rate
 * limits hold in virtual time. The pacer's spacing, the backoff between attempts and a
 * Retry-After all still happen, in virtual time, without being waited out.
 *
 * What it cannot show: requests overlapping in flight (each skip waits for the open requests to
 * end). Those proofs stay on the real clock (test/pacing.test.ts).
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

import type { Clock } from '../../nodes/shared/clock';
import { setClock } from '../../nodes/shared/clock';

/** A real moment before a skip, for a request just given its turn to open (ms). */
const SETTLE_MS = 5;

const realWait = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

export class SkipClock implements Clock {
	private skipped = 0;
	private readonly open = new Set<ClientRequest>();
	private quietWaiters: Array<() => void> = [];

	/** Epoch ms, whole (the trigger's ISO timestamps keep whole ms). */
	now = (): number => Date.now() + this.skipped;

	sleep = async (ms: number): Promise<void> => {
		ms = Math.max(0, ms);
		const wakeAt = this.now() + ms;
		const realDeadline = Date.now() + ms; // never slower than the real clock
		await realWait(Math.min(ms, SETTLE_MS));
		while (this.open.size > 0 && Date.now() < realDeadline) {
			await Promise.race([new Promise<void>((resolve) => this.quietWaiters.push(resolve)), realWait(realDeadline - Date.now())]);
		}
		this.skipTo(wakeAt);
	};

	/** Lets `ms` of virtual time pass at once (e.g. the minutes between two polls). */
	pass(ms: number): void {
		this.skipped += Math.ceil(ms);
	}

	/** Counts the HTTP requests of this process that are open (node:diagnostics_channel). */
	readonly onRequest = ({ request }: { request: ClientRequest }): void => {
		this.open.add(request);
		request.once('close', () => {
			this.open.delete(request);
			if (this.open.size > 0) return;
			const waiters = this.quietWaiters;
			this.quietWaiters = [];
			for (const resolve of waiters) resolve();
		});
	};

	private skipTo(at: number): void {
		const now = this.now();
		if (at > now) this.pass(at - now);
	}
}

/**
 * Runs the nodes of this test file (or describe block) on a SkipClock from beforeAll to afterAll
 * and returns it. jest loads the nodes afresh for every test file, so no other file is affected.
 */
export function useSkipClock(): SkipClock {
	const clock = new SkipClock();
	beforeAll(() => {
		diagnostics.subscribe('http.client.request.start', clock.onRequest as (message: unknown) => void);
		setClock(clock);
	});
	afterAll(() => {
		setClock();
		diagnostics.unsubscribe('http.client.request.start', clock.onRequest as (message: unknown) => void);
	});
	return clock;
}
