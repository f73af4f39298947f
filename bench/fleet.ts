/**
 * The fleet case of `npm run bench`: the trigger with a partner credential polls every instance
 * of a sandbox partner account through n8n-core's real poll path (the test harness), at 100 ms
 * latency. Per fleet size: a first poll records the fleet, then 1% of the instances change state
 * and a second poll (the one measured) lists the fleet again and asks every instance for its state.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import type { IDataObject } from 'n8n-workflow';

import { lastReports } from '../nodes/GreenApiTrigger/fleetPoll';
import { FLEET_DEFAULTS } from '../nodes/GreenApiTrigger/fleetPoll';
import { startSandbox } from '../test/fixtures';
import { partnerCredentialsFor, pollFleetTrigger } from '../test/fleetFixtures';
import { fixed, sampleMemory, table } from './measure';

export const FLEET_SIZES = [100, 1000, 5000];
export const FLEET_LATENCY_MS = 100;
export const FLEET_JITTER_MS = 20;
/** The target: 1,000 instances checked in one poll in under 30 s. */
export const FLEET_TARGET = { instances: 1000, seconds: 30 };

export interface FleetRow {
	instances: number;
	wallS: number;
	requests: number;
	expectedRequests: number;
	peakConcurrency: number;
	events: number;
	changed: number;
	heapMB: number;
	rssMB: number;
	staticBytesPerInstance: number;
	failed: number;
	/** 1-minute load average before and after the measured poll: other processes share the machine. */
	load: [number, number];
}

export async function fleetBench(log: (line: string) => void, sizes = FLEET_SIZES): Promise<FleetRow[]> {
	const sandbox = await startSandbox({ latencyMs: FLEET_LATENCY_MS, latencyJitterMs: FLEET_JITTER_MS });
	const rows: FleetRow[] = [];
	try {
		for (const [i, size] of sizes.entries()) {
			const partnerToken = `benchfleet${i}partnertoken${size}`;
			sandbox.partner.addAccount(partnerToken);
			const made = sandbox.partner.addInstances(partnerToken, { count: size, idPrefix: String(71 + i), stateInstance: 'authorized' });
			const credentials = partnerCredentialsFor(sandbox, partnerToken);
			// Lists on every poll: the measured poll pays for the list too.
			const parameters = { authentication: 'partner', options: { listEveryMinutes: 0 } };
			const first = await pollFleetTrigger(credentials, parameters, { mode: 'trigger', activation: true, staticData: {} });
			if (first.error) throw first.error;
			const changed = made.filter((_, n) => n % 100 === 0);
			for (const m of changed) sandbox.setState(m.idInstance, 'notAuthorized');
			// Each instance's pace is 1 request/s: the measured poll starts a second after the first.
			await new Promise((resolve) => setTimeout(resolve, 1100));
			sandbox.resetStats();
			const loadBefore = os.loadavg()[0];
			const memory = sampleMemory();
			const began = performance.now();
			const second = await pollFleetTrigger(credentials, parameters, { mode: 'trigger', staticData: first.staticData });
			const wallS = (performance.now() - began) / 1000;
			const peak = memory.stop();
			if (second.error) throw second.error;
			const stats = sandbox.stats();
			const report = [...lastReports.values()].pop();
			const stored = Object.values(second.staticData)[0] as IDataObject;
			rows.push({
				instances: size,
				wallS,
				requests: stats.total,
				expectedRequests: size + 1,
				peakConcurrency: stats.maxConcurrent,
				events: second.result?.[0]?.length ?? 0,
				changed: changed.length,
				heapMB: peak.heapMB,
				rssMB: peak.rssMB,
				staticBytesPerInstance: Buffer.byteLength(JSON.stringify(stored)) / size,
				failed: report?.failures ?? -1,
				load: [loadBefore, os.loadavg()[0]],
			});
			log(`fleet of ${size}: ${fixed(wallS, 1)} s, ${stats.total} requests, peak ${stats.maxConcurrent} in flight, ${rows.at(-1)!.events} events`);
		}
	} finally {
		await sandbox.close();
	}
	return rows;
}

export function fleetTargets(rows: FleetRow[]): Array<{ what: string; measured: string; pass: boolean }> {
	const target = rows.find((r) => r.instances === FLEET_TARGET.instances);
	return [
		{
			what: `Fleet trigger: ${FLEET_TARGET.instances} instances checked in one poll in under ${FLEET_TARGET.seconds} s at ${FLEET_LATENCY_MS} ms latency`,
			measured: target ? `${fixed(target.wallS, 1)} s` : 'not run',
			pass: target !== undefined && target.wallS < FLEET_TARGET.seconds,
		},
		{
			what: 'Fleet trigger: one request per instance and poll (plus the list), no failure, one item per changed instance',
			measured: rows.map((r) => `${r.instances}: ${r.requests} requests, ${r.failed} failed, ${r.events} items for ${r.changed} changes`).join('; '),
			pass: rows.every((r) => r.requests === r.expectedRequests && r.failed === 0 && r.events === r.changed),
		},
	];
}

export function fleetSection(rows: FleetRow[]): string {
	const rowsTable = table(
		['instances', 'poll wall time', 'requests per poll', 'peak concurrency', 'items (changed)', 'failed', 'peak heap', 'peak RSS', 'static data per instance', 'load (1 min) before -> after'],
		rows.map((r) => [
			String(r.instances),
			`${fixed(r.wallS, 1)} s`,
			String(r.requests),
			String(r.peakConcurrency),
			`${r.events} (${r.changed})`,
			String(r.failed),
			`+${fixed(r.heapMB, 0)} MB`,
			`${fixed(r.rssMB, 0)} MB`,
			`${fixed(r.staticBytesPerInstance, 0)} bytes`,
			`${fixed(r.load[0], 1)} -> ${fixed(r.load[1], 1)}`,
		]),
	);
	return `<!-- fleet:start -->
## Fleet trigger: every instance of a partner account

The GREEN-API Trigger with a partner credential, run through n8n-core's poll path (the test
harness, trigger mode) against a sandbox partner account at ${FLEET_LATENCY_MS} +- ${FLEET_JITTER_MS} ms latency, with the
default ${FLEET_DEFAULTS.concurrency} parallel requests. Per fleet size a first poll records the fleet; then 1% of the
instances change state and the measured poll lists the fleet (Refresh Instance List Every 0, so
the list is paid for in every poll) and asks each live instance for its state once. Requests
are counted by the sandbox; peak concurrency is the most requests it had in flight at once
(the list included); static data is the stored watch in JSON, divided by the fleet size.
Target: ${FLEET_TARGET.instances} instances in under ${FLEET_TARGET.seconds} s per poll. A poll costs N / ${FLEET_DEFAULTS.concurrency} x latency plus the list:
at GREEN-API's own latency and 1 poll a minute, about ${FLEET_DEFAULTS.concurrency * 60 * 4} instances fit in a minute at 250 ms.

Run alone: \`npm run bench -- fleet\` (rewrites only this section and its rows in Targets).

${rowsTable}
<!-- fleet:end -->`;
}
