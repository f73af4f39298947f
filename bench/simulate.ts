/**
 * `node -r ./bench/register.js bench/simulate.ts [SETTINGS_JSON]`: the multi-process case on a
 * virtual clock (test/unit/pacing-sim.ts), in a second instead of minutes. For tuning
 * ADAPTATION in nodes/shared/pacing.ts; bench/multi.ts measures the real thing.
 */
import { ADAPTATION } from '../nodes/shared/pacing';
import { refusedShare, simulate, utilisation } from '../test/unit/pacing-sim';
import { fixed, percent } from './measure';

async function main(): Promise<void> {
	const settings = { ...ADAPTATION, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<typeof ADAPTATION>) };
	for (const w of [1, 2, 4, 8]) {
		for (const seed of [1, 2, 3]) {
			const r = await simulate({ processes: Array.from({ length: w }, () => ({ items: 100 })), settings, seed });
			const refused = r.attempts.filter((a) => !a.accepted).length;
			process.stdout.write(
				`W=${w} seed ${seed}: ${percent(utilisation(r.attempts))} of the limit, ${refused} x 429 (${percent(refusedShare(r.attempts))}), ` +
					`failed ${r.failed.join('/')}, done at ${r.doneAt.map((t) => fixed(t / 1000, 1)).join('/')} s\n`,
			);
		}
	}
	// Four share, three stop: the fourth should return to the full rate.
	const r = await simulate({ processes: [{ items: 300 }, { items: 30 }, { items: 30 }, { items: 30 }], settings });
	const late = r.attempts.filter((a) => a.accepted && a.arrivedAt > r.doneAt[1] + 15000);
	process.stdout.write(`1 of 4 alone: others done at ${fixed(r.doneAt[1] / 1000, 1)} s; from 15 s later ${late.length} ok, ${percent(utilisation(late))} of the limit\n`);
}
void main();
