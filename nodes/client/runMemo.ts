/**
 * What the items of one run of a node (in one execution) remember together about one GREEN-API
 * method of one instance:
 * - the outcome of each distinct request (same method, same body: one request, one answer for
 *   every item that asks it), so a list that names a number five times spends one check;
 * - the quota answer (466): once GREEN-API said the month's quota is used up, the other items
 *   of the run fail at once with it, without a request and without waiting for the pace.
 *
 * A memo lives while an item of its run uses it: n8n's RoutingNode starts every item
 * of a run of the node before any answer comes, and the last item to finish removes it, so a
 * long-running worker keeps nothing, and a later run (a loop back to the node, the next batch
 * of Loop Over Items, the next execution) asks GREEN-API again: never a stale answer, and a new
 * month (GREEN-API resets the quota on the 1st) or an upgraded plan is seen at once; the price
 * is one 466 per run.
 */
import type { FailureInfo } from './errors';

/** What one request came to: GREEN-API's answer, or the failure that was final. */
export type Outcome = { ok: true; value: unknown } | { ok: false; failure: FailureInfo; attempts: number };

/**
 * Items of one memo waiting at the pacer at once: enough that the pacer always has the next
 * caller (its pace is unchanged), few enough that after a 466 almost no turn given up stays
 * counted in the pacer (it cannot take one back), so the instance's next execution in this
 * process does not wait behind the pace of a thousand items that failed at once.
 */
const AT_PACER = 3;

/** What `turn` needs of a pacer (pacing.ts). */
interface Paced {
	turn(): Promise<void>;
}

export class RunMemo {
	private atPacer = 0;
	private readonly queued: Array<() => void> = [];
	private readonly outcomes = new Map<string, Promise<Outcome>>();
	private users = 0;
	/** The 466 that used up the quota, once it came. */
	private quotaRefusal?: Outcome & { ok: false };
	private announceQuotaUsedUp!: () => void;
	/** Settles when the quota is used up: items waiting for the pace stop waiting. */
	readonly quotaUsedUp: Promise<void> = new Promise((resolve) => (this.announceQuotaUsedUp = resolve));

	constructor(private readonly release: () => void) {}

	/**
	 * Waits for this item's turn at the pacer. When the quota is used up (before or while
	 * waiting): the 466 at once, and nothing is to be sent.
	 */
	async turn(pacer: Paced): Promise<(Outcome & { ok: false }) | undefined> {
		if (this.atPacer >= AT_PACER && !this.quotaRefusal) await new Promise<void>((resolve) => this.queued.push(resolve));
		if (this.quotaRefusal) return this.quotaRefusal;
		this.atPacer++;
		try {
			await Promise.race([pacer.turn(), this.quotaUsedUp]);
		} finally {
			this.atPacer--;
			this.queued.shift()?.();
		}
		return this.quotaRefusal;
	}

	/**
	 * The outcome of the request with this body: `run` sends it if no item of the execution
	 * has; otherwise the earlier request's outcome, with `repeated` set.
	 */
	async once(body: string, run: () => Promise<Outcome>): Promise<{ outcome: Outcome; repeated: boolean }> {
		const earlier = this.outcomes.get(body);
		if (earlier) return { outcome: await earlier, repeated: true };
		const outcome = run().then((result) => {
			if (!result.ok && result.failure.status === 466 && !this.quotaRefusal) {
				this.quotaRefusal = result;
				this.announceQuotaUsedUp();
				for (const resume of this.queued.splice(0)) resume();
			}
			return result;
		});
		this.outcomes.set(body, outcome);
		return { outcome: await outcome, repeated: false };
	}

	enter(): void {
		this.users++;
	}

	leave(): void {
		if (--this.users === 0) this.release();
	}
}

const memos = new Map<string, RunMemo>();

/** The memo of `key` (execution id, instance, method), entered: call `leave()` when done. */
export function enterRunMemo(key: string): RunMemo {
	let memo = memos.get(key);
	if (!memo) {
		const created: RunMemo = new RunMemo(() => {
			if (memos.get(key) === created) memos.delete(key);
		});
		memos.set(key, created);
		memo = created;
	}
	memo.enter();
	return memo;
}

/** How many memos are alive (tests: none once runs ended). */
export function liveRunMemos(): number {
	return memos.size;
}
