/**
 * `node -r ./bench/register.js bench/simulate.ts [SETTINGS_JSON]`: the multi-process case on a
 * virtual clock (test/unit/pacing-sim.ts), in seconds instead of hours. For tuning ADAPTATION in
 * nodes/shared/pacing.ts; bench/multi.ts measures the real thing. docs/PACING.md keeps what was
 * tried and what it gave.
 *
 * Each W runs 16 seeds for each way of starting: together, up to 120 ms apart at random (in
 * bench/multi.ts the processes' first requests fall within 10 to 250 ms of each other), and up
 * to 0.4 s apart (a busy machine). Per way it prints the share of the limit and of requests
 * answered 429 (min / mean / max) and in how many seeds both of issue 9's targets hold (85%, 5%).
 * The last blocks tell each process, at once or some seconds later, when another one has
 * finished (a what-if no pacer can do): the difference is what finding out through probes costs,
 * and the delays show how soon a pacer would have to find out.
 */
import { ADAPTATION } from '../nodes/shared/pacing';
import { random, refusedShare, simulate, utilisation } from '../test/unit/pacing-sim';
import { fixed, percent } from './measure';
import { meetsSharingTarget } from './multi';

const SEEDS = 16;

/** Start times (ms) of w processes for one seed. */
const STARTS = {
	together: (w: number) => Array.from({ length: w }, () => 0),
	'120 ms': (w: number, seed: number) => {
		const rnd = random(seed * 7919);
		return Array.from({ length: w }, () => rnd() * 120);
	},
	'0.4 s': (w: number, seed: number) => Array.from({ length: w }, (_, p) => (p * 137 + seed * 59) % 400),
};

const stats = (xs: number[]) => `${percent(Math.min(...xs))} / ${percent(xs.reduce((a, b) => a + b) / xs.length)} / ${percent(Math.max(...xs))}`;

/** One line per way of starting: W processes x 100 items, 16 seeds. */
async function row(w: number, settings: typeof ADAPTATION, told?: number): Promise<void> {
	for (const [way, starts] of Object.entries(STARTS)) {
		if (w === 1 && way !== 'together') continue;
		const shares: number[] = [];
		const refused: number[] = [];
		let failed = 0;
		let met = 0;
		for (let seed = 1; seed <= SEEDS; seed++) {
			const processes = starts(w, seed).map((startAt) => ({ items: 100, startAt }));
			const r = await simulate({ processes, settings, seed, departures: told === undefined ? 'learn' : 'told', toldAfterMs: told });
			const share = utilisation(r.attempts);
			const refusedOfAll = refusedShare(r.attempts);
			shares.push(share);
			refused.push(refusedOfAll);
			failed += r.failed.reduce((a, b) => a + b, 0);
			if (meetsSharingTarget(share, refusedOfAll)) met++;
		}
		process.stdout.write(
			`  W=${w}, ${way.padEnd(8)}: of the limit ${stats(shares)}; answered 429 ${stats(refused)}; failed items ${failed}; ` +
				`targets met in ${met} of ${SEEDS}\n`,
		);
	}
}

async function main(): Promise<void> {
	const settings = { ...ADAPTATION, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<typeof ADAPTATION>) };
	process.stdout.write(`Pacers as they are (of the limit and 429s: min / mean / max over ${SEEDS} seeds):\n`);
	for (const w of [1, 2, 4, 8]) await row(w, settings);
	for (const after of [0, 2000, 4000]) {
		process.stdout.write(`What-if: the others are told ${after === 0 ? 'at once' : `${after / 1000} s after`} when a process finishes:\n`);
		for (const w of [2, 4]) await row(w, settings, after);
	}
	// Four share, three stop: the fourth should return to the full rate.
	const r = await simulate({ processes: [{ items: 300 }, { items: 30 }, { items: 30 }, { items: 30 }], settings });
	const late = r.attempts.filter((a) => a.accepted && a.arrivedAt > r.doneAt[1] + 15000);
	process.stdout.write(`1 of 4 alone: others done at ${fixed(r.doneAt[1] / 1000, 1)} s; from 15 s later ${late.length} ok, ${percent(utilisation(late))} of the limit\n`);
}
void main();
