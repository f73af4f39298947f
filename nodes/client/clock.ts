/**
 * The time both nodes read and wait on: pacing (pacing.ts), retry backoff (transport.ts) and
 * the trigger's timestamps. One seam, so that tests can put the nodes on a virtual clock and
 * let a minute of pacing or backoff pass in a millisecond (test/harness/clock.ts).
 */
import { sleep } from 'n8n-workflow';

export interface Clock {
	/** Epoch milliseconds. */
	now(): number;
	sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep };

let current: Clock = realClock;

/** The clock in use: the real one, unless a test set another. */
export const clock: Clock = {
	now: () => current.now(),
	sleep: async (ms) => await current.sleep(ms),
};

/** For tests: run the nodes on `next` (no argument: the real clock again). */
export function setClock(next: Clock = realClock): void {
	current = next;
}
