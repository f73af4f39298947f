/**
 * `node -r ./scripts/lib/register-ts.js bench/simulate.ts [SETTINGS_JSON]`: the multi-process case on a
 * virtual clock (test/unit/pacing-sim.ts), in seconds instead of hours. For tuning ADAPTATION in
 * nodes/client/pacing.ts; bench/multi.ts measures the real thing. docs/PACING.md keeps what was
 * tried and what it gave.
 *
 * Each W runs 16 seeds for each way of starting: together, up to 120 ms apart at random (in
 * bench/multi.ts the processes' first requests fall within 10 to 250 ms of each other), and up
 * to 0.4 s apart (a busy machine). Per way it prints the share of the limit and of requests
 * answered 429 (min / mean / max) and in how many seeds both sharing targets hold (85%, 5%).
 * The W=4 runs are then grouped by how their first second split the limit between the processes.
 * The last blocks tell each process, at once or some seconds later, when another one has
 * finished (a what-if no pacer can do): the difference is what finding out through probes costs,
 * and the delays show how soon a pacer would have to find out.
 */
import { ADAPTATION } from '../nodes/client/pacing';
import { random, limitedShare, simulate, utilisation } from '../test/unit/pacing-sim';
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

interface Run {
	share: number;
	refused: number;
	failed: number;
	/** Per process, requests accepted in the first second after its first turn, ascending. */
	split: number[];
}

/** W processes x 100 items for each seed of one way of starting. */
async function runs(w: number, starts: (w: number, seed: number) => number[], settings: typeof ADAPTATION, told?: number): Promise<Run[]> {
	const result: Run[] = [];
	for (let seed = 1; seed <= SEEDS; seed++) {
		const processes = starts(w, seed).map((startAt) => ({ items: 100, startAt }));
		const r = await simulate({ processes, settings, seed, departures: told === undefined ? 'learn' : 'told', toldAfterMs: told });
		const split = processes.map((_, p) => {
			const mine = r.attempts.filter((a) => a.process === p);
			const firstTurn = Math.min(...mine.map((a) => a.turnAt));
			return mine.filter((a) => a.accepted && a.turnAt < firstTurn + 1000).length;
		});
		const failed = r.failed.reduce((a, b) => a + b, 0);
		result.push({ share: utilisation(r.attempts), refused: limitedShare(r.attempts), failed, split: split.sort((a, b) => a - b) });
	}
	return result;
}

const summary = (rs: Run[]) =>
	`of the limit ${stats(rs.map((r) => r.share))}; answered 429 ${stats(rs.map((r) => r.refused))}; ` +
	`failed items ${rs.reduce((sum, r) => sum + r.failed, 0)}; targets met in ${rs.filter((r) => meetsSharingTarget(r.share, r.refused)).length} of ${rs.length}`;

/** One line per way of starting: W processes x 100 items, 16 seeds. */
async function row(w: number, settings: typeof ADAPTATION, told?: number): Promise<void> {
	for (const [way, starts] of Object.entries(STARTS)) {
		if (w === 1 && way !== 'together') continue;
		process.stdout.write(`  W=${w}, ${way.padEnd(8)}: ${summary(await runs(w, starts, settings, told))}\n`);
	}
}

/**
 * W=4 over every way of starting, grouped by how the first second split the limit between the
 * processes: whether an unlucky start (one process left with 1 turn per second) is what costs.
 */
async function bySplit(settings: typeof ADAPTATION): Promise<void> {
	const groups = new Map<string, Run[]>();
	for (const starts of Object.values(STARTS)) {
		for (const run of await runs(4, starts, settings)) {
			const key = run.split.join('+');
			groups.set(key, [...(groups.get(key) ?? []), run]);
		}
	}
	process.stdout.write(`W=4, all ways of starting, by what each process got through in its first second:\n`);
	for (const [split, rs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
		process.stdout.write(`  ${split.padEnd(8)} (${rs.length} runs): ${summary(rs)}\n`);
	}
}

async function main(): Promise<void> {
	const settings = { ...ADAPTATION, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<typeof ADAPTATION>) };
	process.stdout.write(`Pacers as they are (of the limit and 429s: min / mean / max over ${SEEDS} seeds):\n`);
	for (const w of [1, 2, 4, 8]) await row(w, settings);
	await bySplit(settings);
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
