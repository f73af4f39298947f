/**
 * A deterministic world for the pacer on a virtual clock: several processes, each with its own
 * Pacer (as separate n8n workers have), send through the same retry loop as
 * nodes/client/transport.ts to one fake GREEN-API instance with a sliding one-second window.
 * Seconds of traffic run in milliseconds, so the unit tests can check how pacers that cannot
 * see each other share an instance.
 */
import { ADAPTATION, Pacer } from '../../nodes/client/pacing';
import type { Clock } from '../../nodes/client/pacing';
import { MAX_ATTEMPTS_429 } from '../../nodes/client/retry';
import { shareOfLimit } from '../arrivals';

/** Timers on a virtual clock; run() fires them in time order and lets promises settle in between. */
export class VirtualClock implements Clock {
	private time = 0;
	private seq = 0;
	private readonly timers: Array<{ at: number; seq: number; fire: () => void }> = [];

	now(): number {
		return this.time;
	}

	async sleep(ms: number): Promise<void> {
		await new Promise<void>((resolve) => this.at(this.time + Math.max(0, ms), resolve));
	}

	at(time: number, fire: () => void): void {
		this.timers.push({ at: time, seq: this.seq++, fire });
		this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
	}

	/** Runs until no timer is left (or `until`). */
	async run(until = Infinity): Promise<void> {
		for (;;) {
			await new Promise((resolve) => setImmediate(resolve)); // every continuation settles first
			const next = this.timers[0];
			if (next === undefined || next.at > until) return;
			this.timers.shift();
			this.time = Math.max(this.time, next.at);
			next.fire();
		}
	}
}

/** A reproducible random sequence (mulberry32). */
export function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface WorldOptions {
	/** Per process: how many items and when it starts (ms). */
	processes: Array<{ items: number; startAt?: number }>;
	/** The instance's limit per sliding second, and what every pacer is configured with. */
	limit?: number;
	latencyMs?: number;
	latencyJitterMs?: number;
	/** Up to this many ms between a turn and the request reaching the server (event loop, n8n). */
	sendJitterMs?: number;
	settings?: typeof ADAPTATION;
	seed?: number;
	/**
	 * 'told' (a what-if, not something a pacer can do): when a process finishes, the others are
	 * told (at once, or toldAfterMs later) and split the limit between them (whole turns per
	 * second). Compared with the default, where they must find out through their own probes, it
	 * shows what the time to notice that others have gone costs.
	 */
	departures?: 'learn' | 'told';
	/** With 'told': the others are told this long after a process finishes (default at once). */
	toldAfterMs?: number;
}

export interface Attempt {
	process: number;
	/** When the pacer gave the turn, and when the request reached the server. */
	turnAt: number;
	arrivedAt: number;
	accepted: boolean;
}

export interface WorldResult {
	attempts: Attempt[];
	/** Per process: items that failed after MAX_ATTEMPTS_429 attempts, and when its last item was answered. */
	failed: number[];
	doneAt: number[];
	pacers: Pacer[];
	clock: VirtualClock;
}


export async function simulate(options: WorldOptions): Promise<WorldResult> {
	const { limit = 10, latencyMs = 100, latencyJitterMs = 20, sendJitterMs = 5, seed = 1 } = options;
	const rnd = random(seed);
	const clock = new VirtualClock();
	const admitted: number[] = []; // server side, accepted arrivals in the last second
	const attempts: Attempt[] = [];
	const admit = (t: number): boolean => {
		while (admitted.length > 0 && admitted[0] <= t - 1000) admitted.shift();
		if (admitted.length >= limit) return false;
		admitted.push(t);
		return true;
	};
	const failed = options.processes.map(() => 0);
	const left = options.processes.map(({ items }) => items);
	const doneAt = options.processes.map(() => 0);
	const pacers = options.processes.map(() => new Pacer(limit, clock, options.settings, rnd));

	const item = async (p: number): Promise<void> => {
		const pacer = pacers[p];
		for (let attempt = 1; ; attempt++) {
			await pacer.turn();
			const turnAt = clock.now();
			await clock.sleep(rnd() * sendJitterMs);
			const arrivedAt = clock.now();
			const accepted = admit(arrivedAt);
			attempts.push({ process: p, turnAt, arrivedAt, accepted });
			await clock.sleep(latencyMs + (rnd() * 2 - 1) * latencyJitterMs);
			if (accepted) break;
			if (attempt === MAX_ATTEMPTS_429) {
				failed[p]++;
				break;
			}
			const base = Math.min(500 * 2 ** (attempt - 1), 10_000);
			const wait = base / 2 + rnd() * (base / 2);
			pacer.holdFor(wait);
			await clock.sleep(wait);
		}
		doneAt[p] = Math.max(doneAt[p], clock.now());
		if (--left[p] === 0 && options.departures === 'told') {
			clock.at(clock.now() + (options.toldAfterMs ?? 0), () => {
				const remaining = pacers.filter((_, q) => left[q] > 0);
				for (const pacer of remaining) pacer.share.settle(clock.now(), Math.floor(limit / remaining.length));
			});
		}
	};

	const all: Array<Promise<void>> = [];
	options.processes.forEach(({ items, startAt = 0 }, p) => {
		clock.at(startAt, () => {
			for (let i = 0; i < items; i++) all.push(item(p));
		});
	});
	await clock.run();
	await Promise.all(all);
	return { attempts, failed, doneAt, pacers, clock };
}

/** Accepted requests per second of the limit, from the first arrival to the last. */
export function utilisation(attempts: Attempt[], limit = 10): number {
	return shareOfLimit(
		attempts.filter((a) => a.accepted).map((a) => a.arrivedAt),
		limit,
	);
}

export function limitedShare(attempts: Attempt[]): number {
	return attempts.filter((a) => !a.accepted).length / attempts.length;
}
