import { clock as sharedClock } from './clock';
import type { Clock } from './clock';

/**
 * Sending at exactly the documented rate leaves no room for network jitter against a
 * one-second window; 5% below it keeps clear of 429s and still delivers 95% of the limit.
 */
export const PACING_MARGIN = 1.05;

/** GREEN-API counts its limits in a sliding window of one second. */
const WINDOW_MS = 1000;
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
 * How the share adapts. Other n8n processes (queue-mode workers) that use the same instance
 * are invisible to this one: a 429 is the only sign of them. Chosen on the virtual clock
 * (bench/simulate.ts) and checked with the multi-process benchmark (bench/multi.ts).
 */
export const ADAPTATION = {
	/** After a cut, 429s are mostly answers to turns taken before it: no second cut for this long. */
	guardMs: 500,
	/** After a cut the share holds for this long times the share (smaller shares probe sooner, so
	 * shares even out; a probe that meets a full window costs a 429) ... */
	plateauMs: 40_000,
	/** ... but at least this share of it (a process cut to the floor must not probe again at once) ... */
	minPlateauShare: 0.2,
	/** ... times 1 +- this, drawn at each cut (processes cut at the same moment would probe at the same moment) ... */
	plateauSpread: 0.5,
	/** ... times 2 after a probe that met a 429, up to this factor. */
	maxBackoff: 2,
	/** Then it grows by growth x t^2 (t in seconds after the plateau): one level at a time near the
	 * share that met the 429, quickly once the others have gone. */
	growth: 0.02,
	/** Never below this share: a process that cut too far still sends. */
	floor: 0.05,
	/** A 429's wait at least this long holds all requests (a Retry-After, a late retry); a shorter
	 * one is a backoff guess and the cut does the job. */
	holdFromMs: 1000,
	/** After the first window of a burst, the answers to its last turns are awaited this long. */
	settleMs: 300,
};

/**
 * The share of its configured rate one pacer takes, learned from 429s only. Pure: times are
 * passed in. The Pacer uses a share as whole turns per second (a "level": 10 x share for
 * checkWhatsapp), so the levels of the processes that share an instance simply add up.
 *
 * - Alone, it never sees a 429 (the pacer stays 5% under the limit), so it stays at 1; a stray
 *   429 costs one level.
 * - Others start too: processes that start together at the full rate all meet 429s within
 *   their first second. The Pacer then holds until that second is over and answered, and each
 *   settles on what got through (its turns minus its 429s): the instance admitted exactly its
 *   limit in that second, so the processes' takes add up to it.
 * - Others send too: 429s again and again (twice in a second), a process takes what got
 *   through in the last second (its turns minus its 429s).
 * - After a cut it holds for a plateau, then grows, one level after the other and ever faster.
 *   Each new level is a probe: when a 429 follows, it goes back one level and waits twice as
 *   long before the next. So while others send it probes rarely, and once they have gone it is
 *   back at the full rate within seconds of its next probe.
 */
export class Share {
	private base = 1;
	private cutAt = -Infinity;
	/** The plateau's factor for this cut: spread and backoff. */
	private stretch = 1;
	/** 2 after a probe that met a 429. */
	private backoff = 1;
	/** Times of the 429s in the last window. */
	private readonly limitedAt: number[] = [];

	constructor(
		/** Turns per second at share 1 (the configured rate). */
		private levels: number,
		private readonly settings = ADAPTATION,
		private readonly random: () => number = Math.random,
	) {}

	setLevels(levels: number): void {
		this.levels = levels;
	}

	/** Whether the share is whole (no 429 has cut it, or it has grown back). */
	isWhole(now: number): boolean {
		return this.at(now) >= 1;
	}

	/**
	 * The first window after a start was shared with others: take `turns` of it (what got
	 * through), then hold and grow as after a cut.
	 */
	settle(now: number, turns: number): void {
		this.base = Math.min(1, Math.max(this.settings.floor, Math.max(1, turns) / this.levels));
		this.cutAt = now;
		this.backoff = 1;
		this.stretch = 1 + this.settings.plateauSpread * (2 * this.random() - 1);
	}

	/** The share at `now`, in (0, 1]. */
	at(now: number): number {
		const plateau = this.settings.plateauMs * Math.max(this.base, this.settings.minPlateauShare) * this.stretch;
		const t = (now - this.cutAt - plateau) / 1000;
		if (t <= 0) return this.base;
		return Math.min(1, this.base + this.settings.growth * t * t);
	}

	/** A 429 arrived at `now`; `turnsInWindow`: turns this pacer gave in the last second. */
	rateLimited(now: number, turnsInWindow: number): void {
		while (this.limitedAt.length > 0 && this.limitedAt[0] <= now - WINDOW_MS) this.limitedAt.shift();
		this.limitedAt.push(now);
		if (now - this.cutAt < this.settings.guardMs) return;
		const level = this.level(this.at(now));
		const probing = this.base < 1 && level > this.level(this.base);
		let to: number;
		if (probing) {
			// A probe met a 429. Two levels up or more means the first one held: no backoff.
			this.backoff = level === this.level(this.base) + 1 ? this.settings.maxBackoff : 1;
			to = level - 1;
		} else if (this.limitedAt.length > 1) {
			to = turnsInWindow - this.limitedAt.length;
		} else if (this.base === 1 && turnsInWindow < level - 1) {
			to = Math.floor(this.levels / 2); // started less than a second ago, with others
		} else if (this.base === 1) {
			// Alone at the full rate for a second or more: a single 429 is the machine's or the
			// network's delay, not another process (that one would bring more within the second).
			return;
		} else {
			// One 429 while sharing: one level down, but not below one turn per second (a process
			// that always yields would starve while the others keep the window full).
			to = Math.max(1, level - 1);
		}
		this.base = Math.min(1, Math.max(this.settings.floor, Math.min(Math.max(level - 1, 1), to) / this.levels));
		this.cutAt = now;
		this.stretch = this.backoff * (1 + this.settings.plateauSpread * (2 * this.random() - 1));
	}

	private level(share: number): number {
		return Math.floor(share * this.levels + 1e-9);
	}
}

export type { Clock };

/**
 * Hands out send times for one instance and method, in call order. Requests overlap in
 * flight, so throughput follows the rate limit, not the round-trip time.
 *
 * The rate is the configured one times the Share learned from 429s. Two rules, both from the
 * times turns were really taken (not when they were asked for):
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
	private perSecond = 1;
	/** Slot of the next turn on the even schedule. */
	private nextAt = 0;
	/** Not before this (after a 429). */
	private heldUntil = 0;
	/** When the last turns were taken (the first after a pause counted later), oldest first. */
	private readonly taken: number[] = [];
	/** When the turns of the last window were really taken. */
	private readonly recent: number[] = [];
	private readonly waiting: Array<() => void> = [];
	private dispatching = false;
	/** First turn after a second or more without one: the start of a burst. */
	private burstAt = -Infinity;
	/** Turns since burstAt. */
	private burstTurns = 0;
	/** Set while the first window of a burst is being measured: 429s counted so far. */
	private settling: { count429: number } | undefined;
	readonly share: Share;

	constructor(
		perSecond: number,
		private readonly clock: Clock = sharedClock,
		private readonly settings = ADAPTATION,
		private readonly random: () => number = Math.random,
	) {
		this.share = new Share(perSecond, settings, random);
		this.setRate(perSecond);
	}

	setRate(perSecond: number): void {
		this.perSecond = perSecond;
		this.share.setLevels(perSecond);
	}

	/** Turns per second right now. */
	rate(now = this.clock.now()): number {
		return this.perSecond * this.share.at(now);
	}

	/** Waits for this caller's turn. Turns are given in call order. */
	async turn(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.waiting.push(resolve);
			if (!this.dispatching) void this.dispatch();
		});
	}

	/**
	 * A 429 (`ms`: the wait before its retry): the share is cut. A wait of a second or more
	 * (GREEN-API's Retry-After, or a late retry) holds every caller, not only the one that met it.
	 */
	holdFor(ms: number): void {
		const now = this.clock.now();
		if (ms >= this.settings.holdFromMs) this.heldUntil = Math.max(this.heldUntil, now + ms);
		if (this.settling !== undefined || (this.share.isWhole(now) && now - this.burstAt < WINDOW_MS)) {
			// 429s in the first second of a burst at the full rate: others started too. The
			// instance admits its limit in that second whatever is sent, so more turns only meet
			// more 429s: hold until the window has passed and every answer is in, then take
			// what got through (turns minus 429s). The processes' takes add up to the limit.
			this.settling = { count429: (this.settling?.count429 ?? 0) + 1 };
			this.heldUntil = Math.max(this.heldUntil, this.burstAt + WINDOW_MS + this.settings.settleMs);
			return;
		}
		this.forget(now);
		this.share.rateLimited(now, this.recent.length);
		// Move this process's turns by a random part of an interval. Paces are periodic: without
		// this, the same turn of the same process could meet the full window every second, and
		// its items would run out of retries while the others' turns always get through.
		this.nextAt = Math.max(this.nextAt, now) + this.random() * this.earliest(now).intervalMs;
	}

	private forget(now: number): void {
		while (this.recent.length > 0 && this.recent[0] <= now - WINDOW_MS) this.recent.shift();
	}

	/** The earliest time the next turn may be taken, and the interval at the current rate. */
	private earliest(now: number): { at: number; intervalMs: number } {
		const share = this.share.at(now);
		const rate = this.perSecond * share;
		const perWindow = Math.max(1, Math.min(Math.floor(rate), MAX_WINDOW_TURNS));
		// Sharing: a whole number of turns per window, evenly spaced. No second then holds more
		// than that number, so the processes that share an instance add up exactly to their numbers.
		const paced = share < 1 && rate >= 1 ? perWindow : rate;
		const intervalMs = (1000 / paced) * PACING_MARGIN;
		const windowStart = this.taken.length >= perWindow ? this.taken[this.taken.length - perWindow] + perWindow * intervalMs : 0;
		return { at: Math.max(this.nextAt, this.heldUntil, windowStart), intervalMs };
	}

	private async dispatch(): Promise<void> {
		this.dispatching = true;
		try {
			await this.clock.sleep(0);
			let first = true;
			while (this.waiting.length > 0) {
				const { at, intervalMs } = this.earliest(this.clock.now());
				const wait = at - this.clock.now();
				if (wait >= TIMER_RESOLUTION_MS) {
					await this.clock.sleep(wait);
					continue; // a holdFor may have moved the time meanwhile
				}
				const now = this.clock.now();
				// On schedule, or a little late: the next slot follows this one. Idle for longer than
				// an interval (or held): the schedule starts again from now.
				const slot = now - this.nextAt < intervalMs ? Math.max(this.nextAt, this.heldUntil) : now;
				this.nextAt = slot + intervalMs;
				if (this.settling !== undefined) {
					this.share.settle(now, this.burstTurns - this.settling.count429);
					this.settling = undefined;
				}
				if (this.recent.length === 0 || now - this.recent[this.recent.length - 1] >= WINDOW_MS) {
					this.burstAt = now;
					this.burstTurns = 0;
				}
				this.burstTurns++;
				this.taken.push(first ? now + COLD_START_MS : now);
				if (this.taken.length > MAX_WINDOW_TURNS) this.taken.shift();
				this.forget(now);
				this.recent.push(now);
				first = false;
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
		pacer = new Pacer(perSecond);
		pacers.set(key, pacer);
	}
	pacer.setRate(perSecond);
	return pacer;
}
