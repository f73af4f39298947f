/**
 * A virtual clock for engine tests, set through the nodes' one time seam (nodes/client/clock.ts):
 * the nodes' waits (pacing, retry backoff) pass at once, so a test that polls an instance five
 * times at GREEN-API's 1 request/s, or lets an item meet eight 429s, does not wait ~35 s for it.
 *
 * Virtual time moves only when a sleep ends, and then to that sleep's wake-up time: the time the
 * machine takes to run the engine and the HTTP exchange does not count, so results do not depend
 * on how busy it is. A sleep ends once the process is quiet: every turn the pacers gave has
 * become an HTTP request and no HTTP request is open (requests are watched through Node's
 * diagnostics_channel). So a request reaches the sandbox at the virtual time of its turn, and the
 * next turn comes only after it was answered: the sandbox, which reads the same clock
 * (`startSandbox({ now: clock.now })`), sees requests exactly as far apart as the pacer spaced
 * them, and its rate limits hold in virtual time. The pacer's spacing, the backoff between
 * attempts and a Retry-After all still happen, in virtual time, without being waited out.
 *
 * What it cannot show: requests overlapping in flight, and the machine's own delays. Those
 * proofs stay on the real clock (test/pacing.test.ts). Timeouts of HTTP requests stay real.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

import type { Clock } from '../../nodes/client/clock';
import { setClock } from '../../nodes/client/clock';
import { Pacer } from '../../nodes/client/pacing';

/**
 * A turn whose request has not started after this many rounds of the event loop is taken to have
 * none (the pacer still gives turns to items that stopped waiting: the quota ran out meanwhile).
 * Counted in rounds, not milliseconds, so a busy machine does not change it: a request starts in
 * the same round as its turn (measured: all of them, in every engine test).
 */
const TURN_ROUNDS = 100;
/** A sleep ends after this long (real ms) even if the process is not quiet: a test must not hang. */
const MAX_REAL_WAIT_MS = 10_000;

const realWait = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

export class SkipClock implements Clock {
	/** Virtual epoch ms, whole (the trigger's ISO timestamps keep whole ms). */
	private time = Date.now();
	/** Requests sent and not yet closed. */
	private readonly open = new Set<ClientRequest>();
	/** Turns not yet followed by their request, oldest first. */
	private turnsGiven: Array<object> = [];
	private wake: Array<() => void> = [];

	now = (): number => this.time;

	sleep = async (ms: number): Promise<void> => {
		const wakeAt = this.time + Math.max(0, Math.ceil(ms));
		const giveUpAt = Date.now() + MAX_REAL_WAIT_MS;
		await realWait(0); // one timer tick, as a real sleep gives at least
		while (!this.quiet() && Date.now() < giveUpAt) {
			await Promise.race([new Promise<void>((resolve) => this.wake.push(resolve)), realWait(giveUpAt - Date.now())]);
		}
		this.time = Math.max(this.time, wakeAt);
	};

	/** Lets `ms` of virtual time pass at once (e.g. the minutes between two polls). */
	pass(ms: number): void {
		this.time += Math.ceil(ms);
	}

	/** A pacer gave a turn: its request is about to start. */
	turnGiven(): void {
		const turn = {};
		this.turnsGiven.push(turn);
		let rounds = 0;
		const check = (): void => {
			if (!this.turnsGiven.includes(turn)) return;
			if (++rounds < TURN_ROUNDS) return void setImmediate(check);
			this.turnsGiven = this.turnsGiven.filter((t) => t !== turn);
			this.changed();
		};
		setImmediate(check);
	}

	/** A request started (diagnostics_channel `http.client.request.start`). */
	readonly requestStarted = ({ request }: { request: ClientRequest }): void => {
		this.turnsGiven.shift();
		this.open.add(request);
		request.once('close', () => {
			this.open.delete(request);
			this.changed();
		});
		this.changed();
	};

	private quiet(): boolean {
		return this.turnsGiven.length === 0 && this.open.size === 0;
	}

	private changed(): void {
		const wake = this.wake;
		this.wake = [];
		for (const resolve of wake) resolve();
	}
}

/**
 * Runs the nodes of this test file (or describe block) on a SkipClock from beforeAll to afterAll
 * and returns it. jest loads the nodes afresh for every test file, so no other file is affected.
 */
export function useSkipClock(): SkipClock {
	const clock = new SkipClock();
	const onStart = clock.requestStarted as (message: unknown) => void;
	let turn: Pacer['turn'];
	beforeAll(() => {
		// Every turn a pacer gives is followed by its request: the clock waits for it to start.
		turn = Pacer.prototype.turn;
		Pacer.prototype.turn = async function (this: Pacer): Promise<void> {
			await turn.call(this);
			clock.turnGiven();
		};
		diagnostics.subscribe('http.client.request.start', onStart);
		setClock(clock);
	});
	afterAll(() => {
		setClock();
		diagnostics.unsubscribe('http.client.request.start', onStart);
		Pacer.prototype.turn = turn;
	});
	return clock;
}
