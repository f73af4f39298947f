/**
 * `node -r ./bench/register.js bench/simulate.ts [SETTINGS_JSON]`: the multi-process case on a
 * virtual clock (test/unit/pacing-sim.ts), in seconds instead of hours. For tuning ADAPTATION in
 * nodes/shared/pacing.ts; bench/multi.ts measures the real thing.
 *
 * Each W runs with 16 seeds: processes that start at the same moment, up to 40 ms apart, and up
 * to 0.4 s apart (as n8n executions do when the machine is busy). The second block tells each
 * process at once when another one has finished (a what-if no pacer can do): the difference
 * between the two is what finding out through probes costs.
 */
import { ADAPTATION } from '../nodes/shared/pacing';
import { refusedShare, simulate, utilisation } from '../test/unit/pacing-sim';
import { fixed, percent } from './measure';

const SEEDS = 16;

/** Start times: seeds 1, 5, 9, ...: together; 3, 7, ...: 13 ms apart; even seeds: up to 0.4 s apart. */
export function startTimes(w: number, seed: number): number[] {
	return Array.from({ length: w }, (_, p) => (seed % 2 === 0 ? (p * 137 + seed * 59) % 400 : seed % 4 === 1 ? 0 : (p * 13) % 40));
}

const stats = (xs: number[]) => `${percent(Math.min(...xs))} / ${percent(xs.reduce((a, b) => a + b) / xs.length)} / ${percent(Math.max(...xs))}`;

async function main(): Promise<void> {
	const settings = { ...ADAPTATION, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<typeof ADAPTATION>) };
	for (const departures of ['learn', 'told'] as const) {
		process.stdout.write(departures === 'learn' ? 'Pacers as they are (min / mean / max over 16 seeds):\n' : 'What-if: the others are told at once when a process finishes:\n');
		for (const w of [1, 2, 4, 8]) {
			const shares: number[] = [];
			const refused: number[] = [];
			let failed = 0;
			for (let seed = 1; seed <= SEEDS; seed++) {
				const processes = startTimes(w, seed).map((startAt) => ({ items: 100, startAt }));
				const r = await simulate({ processes, settings, seed, departures });
				shares.push(utilisation(r.attempts));
				refused.push(refusedShare(r.attempts));
				failed += r.failed.reduce((a, b) => a + b, 0);
			}
			process.stdout.write(`  W=${w}: of the limit ${stats(shares)}; requests answered 429 ${stats(refused)}; failed items ${failed}\n`);
		}
	}
	// Four share, three stop: the fourth should return to the full rate.
	const r = await simulate({ processes: [{ items: 300 }, { items: 30 }, { items: 30 }, { items: 30 }], settings });
	const late = r.attempts.filter((a) => a.accepted && a.arrivedAt > r.doneAt[1] + 15000);
	process.stdout.write(`1 of 4 alone: others done at ${fixed(r.doneAt[1] / 1000, 1)} s; from 15 s later ${late.length} ok, ${percent(utilisation(late))} of the limit\n`);
}
void main();
