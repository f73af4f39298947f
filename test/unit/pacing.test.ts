import { Pacer, PACING_MARGIN } from '../../nodes/shared/pacing';

describe('Pacer', () => {
	it('spaces turns evenly at the rate, in call order', async () => {
		const pacer = new Pacer(0);
		pacer.setRate(20);
		const started = Date.now();
		const times: number[] = [];
		await Promise.all([0, 1, 2, 3, 4].map(async (i) => {
			await pacer.turn();
			times[i] = Date.now() - started;
		}));
		const interval = (1000 / 20) * PACING_MARGIN;
		for (let i = 1; i < times.length; i++) {
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(interval - 5);
		}
		expect(times[4]).toBeGreaterThanOrEqual(4 * interval - 5);
	});

	it('holds everybody after a 429', async () => {
		const pacer = new Pacer(0);
		pacer.setRate(1000);
		pacer.holdFor(100);
		const started = Date.now();
		await pacer.turn();
		expect(Date.now() - started).toBeGreaterThanOrEqual(95);
	});
});
