/**
 * The fleet trigger's poll (the trigger with a partner credential):
 *
 *   instance list (cached in memory, refreshed every few minutes)
 *   -> getStateInstance of every live instance, with its own token at its own host,
 *      a bounded number at a time, each at its instance's pace (pacing.ts)
 *   -> fleetDecide.ts: one item per instance that changed, and the watch to store.
 *
 * One request per live instance per poll; a failed one is not retried within the poll (the next
 * poll asks again), so a poll costs what the fleet counts, plus the list when it is refreshed.
 *
 * n8n starts each scheduled poll without waiting for the one before: a poll of the same node
 * of the same workflow that is still running makes the new one stand aside (it logs and emits
 * nothing), so two polls never decide on the same static data at once. This guard lives in the
 * process, like the list cache: n8n runs a workflow's pollers on one main process only.
 *
 * Tokens stay in memory (the list cache) and in the request URL; failures are read from their
 * codes and statuses only (errors.ts), so no token reaches static data, items or logs.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { redact } from '../client/api';
import { failureOfHttpError, howItPasses, readAnswer } from '../client/errors';
import type { FailureInfo, HttpAnswer } from '../client/errors';
import { pacerFor } from '../client/pacing';
import { METHODS } from '../GreenApi/resources/instance';
import { testEvent } from './decide';
import { decideFleet } from './fleetDecide';
import type { FleetMember, FleetSettings, FleetWatch, InstanceWatch, Sighting } from './fleetDecide';

/** One instance of the list with what it takes to ask for its state. Memory only. */
export interface FleetEntry extends FleetMember {
	/** The instance's API URL (no trailing slash), e.g. https://1101.api.green-api.com. */
	apiUrl: string;
	apiTokenInstance: string;
}

/** Where the list comes from: the partner account behind the node's credential. */
export interface FleetSource {
	/** Which account (URL and token), compared in memory only: a changed credential lists afresh. */
	account: string;
	list(): Promise<FleetEntry[]>;
}

export interface FleetOptions {
	/** Requests in flight at once. */
	concurrency: number;
	timeoutMs: number;
	/** How old the cached list may be before a poll lists again; 0 = every poll. */
	listEveryMs: number;
}

/** The option defaults (fleetTrigger.ts writes them again as literals: n8n's linter wants them there). */
export const FLEET_DEFAULTS = { concurrency: 20, timeoutSeconds: 15, listEveryMinutes: 10, unreachableAfterPolls: 3, testEventInstances: 10 };

/** What one poll did, for logs and the benchmark. */
export interface FleetPollReport {
	listed: boolean;
	instances: number;
	requests: number;
	peakConcurrency: number;
	failures: number;
	skipped: boolean;
}

interface CachedList {
	account: string;
	listedAt: number;
	usedAt: number;
	entries: FleetEntry[];
	/** An instance refused its token, or is gone: list again on the next poll. */
	stale: boolean;
}

const lists = new Map<string, CachedList>();
/** A list no poll used for this long (its workflow was deactivated) is dropped, tokens with it. */
const UNUSED_LIST_MS = 60 * 60_000;
const running = new Set<string>();

/** The last poll's report per workflow node (benchmarks and tests read it). */
export const lastReports = new Map<string, FleetPollReport>();

/** A workflow's node, named as n8n names its static data (node names are unique in a workflow). */
function keyOf(ctx: IPollFunctions): string {
	const node = ctx.getNode();
	return `${ctx.getWorkflow().id ?? ''}|${node.name}`;
}

function reasonOf(failure: FailureInfo, token: string): string {
	if (failure.kind !== 'status') return failure.kind;
	// GREEN-API's words help ("Instance is deleted"); the token is taken out should a body echo the URL.
	return failure.text ? `HTTP ${failure.status}: ${redact(failure.text, [token])}` : `HTTP ${failure.status}`;
}

type Answer = Sighting & { permanent?: boolean };

/** One instance's state: never throws, never carries the token. */
async function stateOf(ctx: IPollFunctions, entry: FleetEntry, timeoutMs: number): Promise<Answer> {
	await pacerFor(`${entry.apiUrl}|${entry.idInstance}|getStateInstance`, METHODS.getStateInstance.perSecond).turn();
	let answer: HttpAnswer;
	try {
		answer = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: `${entry.apiUrl}/waInstance${entry.idInstance}/getStateInstance/${entry.apiTokenInstance}`,
			headers: { Accept: 'application/json' },
			timeout: timeoutMs,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
		})) as HttpAnswer;
	} catch (error) {
		// Only codes are read: the error holds the URL, and with it the token.
		return { failed: reasonOf(failureOfHttpError(error), entry.apiTokenInstance) };
	}
	const read = readAnswer(answer);
	if (!read.ok) {
		// GREEN-API answers a null body while an instance is being created.
		if (read.failure.kind === 'empty' && answer.statusCode >= 200 && answer.statusCode < 300) return { state: null };
		return { failed: reasonOf(read.failure, entry.apiTokenInstance), permanent: howItPasses(read.failure) === 'never' };
	}
	const state = (read.value as IDataObject | undefined)?.stateInstance;
	if (typeof state === 'string' && state !== '') return { state };
	if (state === null) return { state: null };
	return { failed: 'no state in the answer' };
}

/** Asks every entry for its state, `concurrency` at a time. */
async function observe(
	ctx: IPollFunctions,
	entries: FleetEntry[],
	options: FleetOptions,
): Promise<{ seen: Map<string, Answer>; peak: number }> {
	const seen = new Map<string, Answer>();
	let next = 0;
	let active = 0;
	let peak = 0;
	const worker = async (): Promise<void> => {
		while (next < entries.length) {
			const entry = entries[next++];
			active++;
			peak = Math.max(peak, active);
			try {
				seen.set(entry.idInstance, await stateOf(ctx, entry, options.timeoutMs));
			} finally {
				active--;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency), entries.length) }, worker));
	return { seen, peak };
}

/** The list in use: the cached one while it is fresh, else listed again (a failed listing falls back to the cache). */
async function listOf(
	ctx: IPollFunctions,
	key: string,
	source: FleetSource,
	options: FleetOptions,
	manual: boolean,
): Promise<{ entries: FleetEntry[]; listed: boolean }> {
	const now = Date.now();
	for (const [k, list] of lists) if (now - list.usedAt > UNUSED_LIST_MS) lists.delete(k);
	const cached = lists.get(key);
	if (cached && !manual) cached.usedAt = now;
	const fresh = cached && cached.account === source.account && !cached.stale && now - cached.listedAt < options.listEveryMs;
	if (fresh && !manual) return { entries: cached.entries, listed: false };
	try {
		const entries = await source.list();
		if (!manual) lists.set(key, { account: source.account, listedAt: now, usedAt: now, entries, stale: false });
		return { entries, listed: true };
	} catch (error) {
		if (manual || !cached || cached.account !== source.account) {
			throw error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
		}
		ctx.logger.warn(`GREEN-API Trigger could not refresh the instance list and uses the one from ${new Date(cached.listedAt).toISOString()}: ${(error as Error).message}`);
		return { entries: cached.entries, listed: false };
	}
}

/**
 * Stores the watch when it changed, and only then, so that n8n sees static data as changed
 * exactly when it is. n8n notices assignments to the node's static data object and to objects
 * that were in it when the workflow was loaded, not to an object added later: the map of
 * instances is therefore always assigned whole, never edited in place.
 */
export function rememberFleet(staticData: IDataObject, watch: FleetWatch): void {
	// Whatever the single-instance trigger kept here before the credential changed goes.
	for (const key of Object.keys(staticData)) if (key !== 'instances') delete staticData[key];
	const next = watch.instances ?? {};
	const stored = staticData.instances as Record<string, InstanceWatch> | undefined;
	const same =
		stored !== undefined &&
		Object.keys(stored).length === Object.keys(next).length &&
		Object.entries(next).every(([id, w]) => JSON.stringify(stored[id]) === JSON.stringify(w));
	if (!same) staticData.instances = next as IDataObject;
}

function logFailures(ctx: IPollFunctions, seen: Map<string, Answer>, total: number): number {
	const failed = [...seen].filter(([, a]) => 'failed' in a);
	if (failed.length === 0) return 0;
	const reasons: Record<string, number> = {};
	for (const [, a] of failed) {
		const why = (a as { failed: string }).failed;
		reasons[why] = (reasons[why] ?? 0) + 1;
	}
	ctx.logger.warn(
		`GREEN-API Trigger: ${failed.length} of ${total} instances gave no state this poll; their state is left as it was`,
		{ reasons, idInstances: failed.slice(0, 20).map(([id]) => id) },
	);
	return failed.length;
}

/** "Fetch Test Event": the current state of the first few live instances, shaped like real events. */
function testEvents(entries: FleetEntry[], seen: Map<string, Answer>, settings: FleetSettings, stored: FleetWatch): IDataObject[] {
	const now = new Date();
	return entries.map((e) => {
		const a = seen.get(e.idInstance)!;
		const who = { idInstance: e.idInstance, name: e.name, typeInstance: e.typeInstance };
		const watched = stored.instances?.[e.idInstance];
		if ('state' in a && a.state !== null) {
			const known = watched && typeof watched.s === 'string' ? { idInstance: e.idInstance, state: watched.s, since: new Date(watched.t ?? 0).toISOString() } : {};
			return { ...testEvent(known, { idInstance: e.idInstance, stateInstance: a.state, now }, settings), ...who };
		}
		return {
			event: 'currentState',
			...who,
			stateInstance: null,
			meaning: 'failed' in a ? `No state: ${a.failed}.` : 'Being created: GREEN-API answers no state yet.',
			recommendedAction: 'wait',
			polledAt: now.toISOString(),
		};
	});
}

/** One poll of the fleet. */
export async function pollFleet(
	ctx: IPollFunctions,
	source: FleetSource,
	settings: FleetSettings,
	options: FleetOptions,
): Promise<INodeExecutionData[][] | null> {
	const manual = ctx.getMode() === 'manual';
	const key = keyOf(ctx);
	if (!manual && running.has(key)) {
		ctx.logger.warn('GREEN-API Trigger: the previous poll of this fleet is still running; this poll is skipped');
		lastReports.set(key, { listed: false, instances: 0, requests: 0, peakConcurrency: 0, failures: 0, skipped: true });
		return null;
	}
	if (!manual) running.add(key);
	try {
		const { entries, listed } = await listOf(ctx, key, source, options, manual);
		const live = entries.filter((e) => e.status === 'live');
		const asked = manual ? live.slice(0, FLEET_DEFAULTS.testEventInstances) : live;
		const { seen, peak } = await observe(ctx, asked, options);
		const staticData = ctx.getWorkflowStaticData('node');
		if (manual) return [testEvents(asked, seen, settings, staticData as FleetWatch).map((json) => ({ json }))];

		const failures = logFailures(ctx, seen, asked.length);
		if ([...seen.values()].some((a) => a.permanent)) {
			const cached = lists.get(key);
			if (cached) cached.stale = true;
		}
		lastReports.set(key, { listed, instances: asked.length, requests: asked.length + (listed ? 1 : 0), peakConcurrency: peak, failures, skipped: false });

		const { events, watch } = decideFleet(staticData as FleetWatch, entries, seen, settings, new Date());
		rememberFleet(staticData, watch);
		return events.length > 0 ? [events.map((json) => ({ json }))] : null;
	} finally {
		if (!manual) running.delete(key);
	}
}
