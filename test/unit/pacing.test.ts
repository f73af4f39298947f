/**
 * The pacer's own logic on a virtual clock: exact, and independent of how busy the machine is.
 * test/pacing.test.ts checks the same promises through n8n's engine over real HTTP.
 */
import { ADAPTATION, Pacer, PACING_MARGIN, Share } from '../../nodes/client/pacing';
import { maxInWindow } from '../arrivals';
import { random, limitedShare, simulate, utilisation, VirtualClock } from './pacing-sim';

/** Asks for n turns at once (as n8n starts all items together) and returns when each was given. */
async function turns(pacer: Pacer, clock: VirtualClock, n: number): Promise<number[]> {
	const times: number[] = [];
	const all = Array.from({ length: n }, async (_, i) => {
		await pacer.turn();
		times[i] = clock.now();
	});
	await clock.run();
	await Promise.all(all);
	return times;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

/**
 * One interval apart on average. The window rule counts the first (cold) turn 100 ms late, which
 * moves a turn in each later window by up to 100 ms (the next one is on schedule again).
 */
function expectEvenlySpaced(times: number[], intervalMs: number): void {
	for (const gap of gaps(times)) expect(Math.abs(gap - intervalMs) < 1e-6 || gap <= intervalMs + 100).toBe(true);
	const span = times[times.length - 1] - times[0];
	expect(span).toBeGreaterThanOrEqual((times.length - 1) * intervalMs - 1e-6);
	expect(span).toBeLessThanOrEqual((times.length - 1) * intervalMs + 100 + 1e-6);
}

describe('Pacer on its own', () => {
	it('gives turns in call order, evenly spaced at the configured rate', async () => {
		const clock = new VirtualClock();
		const times = await turns(new Pacer(10, clock), clock, 30);

		expect([...times].sort((a, b) => a - b)).toEqual(times); // call order
		expectEvenlySpaced(times, 100 * PACING_MARGIN);
		expect(maxInWindow(times)).toBeLessThanOrEqual(10);
	});

	it('keeps a fractional Max Requests Per Second exactly (2.5/s is not rounded to 2/s)', async () => {
		const clock = new VirtualClock();
		const times = await turns(new Pacer(2.5, clock), clock, 11);

		expectEvenlySpaced(times, 400 * PACING_MARGIN);
	});

	it('never gives more than the limit in any second when its timers fire late', async () => {
		const rnd = random(7);
		const clock = new VirtualClock();
		// A busy event loop: every timer fires up to 100 ms late (up to an interval: the even
		// schedule keeps its slots, and a late turn is followed by on-time ones).
		const late = { now: () => clock.now(), sleep: async (ms: number) => await clock.sleep(ms + rnd() * 100) };
		const times: number[] = [];
		const pacer = new Pacer(10, late);
		const all = Array.from({ length: 200 }, async () => {
			await pacer.turn();
			times.push(clock.now());
		});
		await clock.run();
		await Promise.all(all);

		expect(times).toHaveLength(200);
		expect(maxInWindow(times)).toBeLessThanOrEqual(10);
	});

	it('after a 429 with a wait of a second or more (Retry-After) holds every caller for it', async () => {
		const clock = new VirtualClock();
		const pacer = new Pacer(10, clock);
		await turns(pacer, clock, 1);
		pacer.holdFor(1500);
		const heldAt = clock.now();
		const times = await turns(pacer, clock, 3);

		expect(times[0] - heldAt).toBeGreaterThanOrEqual(1500);
	});

	it('429s in the first second of a burst (others started too): holds until that window is over and answered, then takes what got through', async () => {
		const clock = new VirtualClock();
		const pacer = new Pacer(10, clock);
		const first = (await turns(pacer, clock, 5))[0];
		pacer.holdFor(300);
		pacer.holdFor(400); // answers to turns already in flight
		expect(pacer.rate()).toBe(10); // nothing cut before every answer of the window is in
		const times = await turns(pacer, clock, 3);

		expect(times[0]).toBeGreaterThanOrEqual(first + 1000 + ADAPTATION.settleMs);
		expect(pacer.rate(times[0])).toBe(3); // 5 turns, 2 of them refused
		expect(maxInWindow(times)).toBeLessThanOrEqual(3);
	});

	it('after the first second, 429s with a short backoff cut the pace instead of holding everybody', async () => {
		const clock = new VirtualClock();
		const pacer = new Pacer(10, clock);
		await turns(pacer, clock, 15); // 1.5 s at the full rate
		pacer.holdFor(900);
		pacer.holdFor(900);
		expect(pacer.rate()).toBeLessThan(10);
		const heldAt = clock.now();
		const times = await turns(pacer, clock, 3);

		expect(times[0] - heldAt).toBeLessThan(900);
		expect(maxInWindow(times)).toBeLessThanOrEqual(pacer.rate());
	});
});

describe('Share: learning from 429s (pure)', () => {
	const levels = 10; // checkWhatsapp: 10 per second
	/** No spread: every plateau is exactly plateauMs x share (x backoff). */
	const share = () => new Share(levels, ADAPTATION, () => 0.5);
	const plateau = (s: number) => ADAPTATION.plateauMs * Math.max(s, ADAPTATION.minPlateauShare);

	it('stays at the full rate while no 429 comes', () => {
		const s = share();
		expect(s.at(0)).toBe(1);
		expect(s.at(3_600_000)).toBe(1);
	});

	it('alone at the full rate for a while, a stray 429 costs nothing; a second one within the second cuts to what got through', () => {
		const s = share();
		s.rateLimited(60_000, 10);
		expect(s.at(60_000)).toBe(1);
		s.rateLimited(60_900, 10);
		expect(s.at(60_900)).toBeCloseTo(0.8, 9);
	});

	it('a 429 in the first second at the full rate (others started too) halves', () => {
		const s = share();
		s.rateLimited(400, 4);
		expect(s.at(400)).toBeCloseTo(0.5, 9);
	});

	it('refused twice within a second: cuts to what got through (its turns minus its 429s)', () => {
		const s = share();
		s.rateLimited(400, 4); // -> 0.5
		s.rateLimited(400 + ADAPTATION.guardMs, 5);
		expect(s.at(400 + ADAPTATION.guardMs)).toBeCloseTo(0.3, 9); // 5 turns, 2 of them refused
	});

	it('429s within the guard after a cut (answers to turns taken before it) do not cut again', () => {
		const s = share();
		s.rateLimited(400, 4);
		s.rateLimited(400 + ADAPTATION.guardMs - 1, 4);
		expect(s.at(400 + ADAPTATION.guardMs)).toBeCloseTo(0.5, 9);
	});

	it('holds after a cut, then grows back to the full rate: alone again means the full rate again', () => {
		const s = share();
		s.rateLimited(0, 4); // -> 0.5
		expect(s.at(plateau(0.5) - 1)).toBeCloseTo(0.5, 9);
		expect(s.at(plateau(0.5) + 2000)).toBeGreaterThan(0.5);
		expect(s.at(plateau(0.5) + 2000)).toBeLessThan(1);
		// growth x t^2 after the plateau: from 0.5 to 1 in sqrt(0.5 / growth) seconds.
		expect(s.at(plateau(0.5) + Math.sqrt(0.5 / ADAPTATION.growth) * 1000 + 1)).toBe(1);
	});

	it('a probe one level up that meets a 429 goes back one level and waits twice as long before the next', () => {
		const s = share();
		s.rateLimited(0, 4); // -> 0.5
		let t = plateau(0.5);
		while (s.at(t) < 0.6 - 1e-9) t += 10; // the probe: level 6
		s.rateLimited(t + 50, 6);
		expect(s.at(t + 50)).toBeCloseTo(0.5, 9);
		expect(s.at(t + 50 + 2 * plateau(0.5) - 1)).toBeCloseTo(0.5, 9);
		expect(s.at(t + 50 + 2 * plateau(0.5) + 3000)).toBeGreaterThan(0.5);
	});

	it('plateaus are spread, so processes cut at the same moment do not probe at the same moment', () => {
		const low = new Share(levels, ADAPTATION, () => 0);
		const high = new Share(levels, ADAPTATION, () => 0.999);
		low.rateLimited(0, 4);
		high.rateLimited(0, 4);
		const firstGrowth = (s: Share) => {
			let t = 0;
			while (s.at(t) === 0.5) t += 10;
			return t;
		};
		expect(firstGrowth(high) - firstGrowth(low)).toBeGreaterThan(plateau(0.5) * ADAPTATION.plateauSpread);
	});

	it('is whole until a 429 cuts it', () => {
		const s = share();
		expect(s.isWhole(0)).toBe(true);
		s.rateLimited(400, 4);
		expect(s.isWhole(400)).toBe(false);
	});

	it('two 429s a whole second apart are not "twice within a second"', () => {
		const s = share();
		s.rateLimited(60_000, 10);
		s.rateLimited(61_000, 10);
		expect(s.at(61_000)).toBe(1);
	});

	it('sharing, a single 429 costs one level, however few turns it gave in the last second', () => {
		const s = share();
		s.rateLimited(0, 10);
		s.rateLimited(900, 10); // twice within a second: 10 turns, 2 answered 429 -> 0.8
		expect(s.at(900)).toBeCloseTo(0.8, 9);
		// A second later (the earlier 429s are out of the window), one 429 with 2 turns in the last second.
		s.rateLimited(2000, 2);
		expect(s.at(2000)).toBeCloseTo(0.7, 9);
	});

	it('a 429 never raises the share: at most one level below where it was', () => {
		const s = share();
		s.rateLimited(400, 4); // -> 0.5
		// Twice within a second, with more turns than its level gave: still one level down, not up.
		s.rateLimited(400 + ADAPTATION.guardMs, 9);
		expect(s.at(400 + ADAPTATION.guardMs)).toBeCloseTo(0.4, 9);
	});

	it('a probe two levels up or more that meets a 429 goes back one level without waiting longer (the first level held)', () => {
		const s = share();
		s.rateLimited(0, 4); // -> 0.5
		let t = plateau(0.5);
		while (s.at(t) < 0.7 - 1e-9) t += 10; // level 7
		s.rateLimited(t, 7);
		expect(s.at(t)).toBeCloseTo(0.6, 9);
		expect(s.at(t + plateau(0.6) + 3000)).toBeGreaterThan(0.6);
	});

	it('settling after a shared first second takes what got through, holds for the plateau, then grows', () => {
		const s = share();
		s.settle(0, 4);
		expect(s.at(0)).toBeCloseTo(0.4, 9);
		expect(s.at(plateau(0.4) - 1)).toBeCloseTo(0.4, 9);
		expect(s.at(plateau(0.4) + 3000)).toBeGreaterThan(0.4);
	});

	it('counts levels in the rate it is given now', () => {
		const s = share();
		s.setLevels(4); // Max Requests Per Second 4
		s.rateLimited(400, 1); // first second, with others: half of 4 turns
		expect(s.at(400)).toBeCloseTo(0.5, 9);
		s.setLevels(5); // now 5: the share 0.5 is level 2 of 5, one 429 a second later takes it to 1 of 5
		s.rateLimited(1500, 2);
		expect(s.at(1500)).toBeCloseTo(0.2, 9);
	});

	it('never drops below the floor', () => {
		const s = share();
		for (let t = 0; t < 20_000; t += ADAPTATION.guardMs) s.rateLimited(t, 1);
		expect(s.at(20_000)).toBeGreaterThanOrEqual(ADAPTATION.floor);
	});
});

describe('processes that cannot see each other share one instance (virtual clock, 10 per sliding second, 100 ms latency)', () => {
	it('one process: about 95% of the limit and no 429', async () => {
		const { attempts, failed } = await simulate({ processes: [{ items: 100 }] });
		expect(failed).toEqual([0]);
		expect(limitedShare(attempts)).toBe(0);
		expect(utilisation(attempts)).toBeGreaterThan(0.94);
	});

	// Bounds with room below what the model gives (bench/simulate.ts prints it): this guards
	// against a change that makes sharing clearly worse, bench/multi.ts measures the real thing.
	it.each([
		[2, 0.75, 0.05], // started 0.1 s apart, the first takes more of the first second and finishes first
		[4, 0.7, 0.06],
		[8, 0.7, 0.15],
	])('%i processes x 100 items, started together or up to 0.4 s apart: no item fails, at least %d of the limit, at most %d of requests answered 429', async (w, minShare, max429) => {
		for (const seed of [1, 2, 3, 4]) {
			const processes = Array.from({ length: w }, (_, p) => ({ items: 100, startAt: seed % 2 ? 0 : (p * 137 + seed * 59) % 400 }));
			const { attempts, failed } = await simulate({ processes, seed });
			expect(failed.every((f) => f === 0)).toBe(true);
			expect(utilisation(attempts)).toBeGreaterThanOrEqual(minShare);
			expect(limitedShare(attempts)).toBeLessThanOrEqual(max429);
		}
	});

	it('a process left alone returns to the full rate', async () => {
		const { attempts, doneAt, pacers, clock } = await simulate({ processes: [{ items: 300 }, { items: 30 }, { items: 30 }, { items: 30 }] });
		const othersDone = Math.max(...doneAt.slice(1));
		const early = attempts.filter((a) => a.process === 0 && a.turnAt < 3000);
		// It did share: far below the full rate while the others sent.
		expect(early.length).toBeLessThan(15);
		const late = attempts.filter((a) => a.process === 0 && a.turnAt > othersDone + 15_000).map((a) => a.turnAt);
		expect(late.length).toBeGreaterThan(50);
		expect(utilisation(attempts.filter((a) => a.turnAt > othersDone + 15_000))).toBeGreaterThan(0.94);
		expect(pacers[0].rate(clock.now())).toBe(10);
	});
});
