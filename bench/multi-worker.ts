/**
 * One process of the multi-process case (bench/multi.ts forks it, as queue mode runs workers):
 * loads n8n-core with our node through the test harness, says `ready`, and on `go` runs its
 * own execution of Check WhatsApp items against the sandbox, then reports what came out.
 *
 * argv: apiUrl idInstance apiTokenInstance items offset [maxRequestsPerSecond]
 */
import diagnostics from 'node:diagnostics_channel';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ADAPTATION } from '../nodes/client/pacing';
import { credentialTypes, greenApiNode } from '../test/fixtures';
import { runNode } from '../test/harness/engine';

export interface WorkerReport {
	ok: number;
	failed: number;
	/** OK items whose answer or pairing does not match their input position. */
	misplaced: number;
	reasons: Record<string, number>;
	/** Epoch ms: `go` received, first request started, node run finished. */
	goAt: number;
	firstRequestAt: number;
	doneAt: number;
}

// Tuning only: try other adaptation settings without editing nodes/client/pacing.ts.
if (process.env.PACING_TUNE) Object.assign(ADAPTATION, JSON.parse(process.env.PACING_TUNE) as Partial<typeof ADAPTATION>);

const [apiUrl, idInstance, apiTokenInstance, count, offset, maxPerSecond] = process.argv.slice(2);
const phones = Array.from({ length: Number(count) }, (_, i) => `4412${String(Number(offset) + i).padStart(8, '0')}`);

let firstRequestAt = NaN;
diagnostics.subscribe('http.client.request.start', () => {
	if (Number.isNaN(firstRequestAt)) firstRequestAt = Date.now();
});

async function run(): Promise<WorkerReport> {
	const goAt = Date.now();
	const options: INodeParameters = maxPerSecond ? { maxRequestsPerSecond: Number(maxPerSecond) } : {};
	const result = await runNode({
		nodeType: greenApiNode,
		credentialTypes,
		credentials: { greenApi: { apiUrl, idInstance, apiTokenInstance } },
		parameters: { resource: 'instance', operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}', options },
		items: phones.map((phone): INodeExecutionData => ({ json: { phone } })),
		continueOnFail: true,
	});
	const doneAt = Date.now();
	const reasons: Record<string, number> = {};
	let ok = 0;
	let misplaced = Math.abs(result.items.length - phones.length);
	result.items.forEach((item, i) => {
		const exists = item.json.existsWhatsapp;
		if (item.error || item.json.error !== undefined || typeof exists !== 'boolean') {
			const error = (item.error ?? item.json.error) as { message?: string } | string | undefined;
			const reason = (typeof error === 'string' ? error : (error?.message ?? 'no answer')).replace(/\[item \d+\]/, '').slice(0, 90);
			reasons[reason] = (reasons[reason] ?? 0) + 1;
			return;
		}
		ok++;
		const paired = (item.pairedItem as { item?: number } | undefined)?.item;
		if (exists !== !phones[i].endsWith('0') || paired !== i) misplaced++;
	});
	if (result.error && result.items.length === 0) reasons[result.error.message] = phones.length;
	return { ok, failed: phones.length - ok, misplaced, reasons, goAt, firstRequestAt, doneAt };
}

process.on('message', (message) => {
	if (message !== 'go') return;
	run().then(
		(report) => process.send!(report, () => process.exit(0)),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
});
process.send!('ready');
