/**
 * `npm run bench:quota` (also the last part of `npm run bench`): Check WhatsApp on a contact
 * list with repeated numbers, through n8n's real engine against the sandbox at GREEN-API's real
 * limit (10/s) and 150 +- 50 ms latency, On Error: Continue.
 *
 * - a 1,000-row list in which 30% of the rows repeat a number of the list in another spelling;
 * - on an instance with a monthly quota of 100: requests sent, items answered, items failed,
 *   wall time (the items after the 466 must fail at once: no request, no wait for the pace);
 * - the same list without a quota: requests sent must equal the number of distinct numbers.
 *
 * Prints a Markdown table; exits with 1 when a promise is not kept. About 80 s.
 * Runs as TypeScript without a build: `node -r ./scripts/lib/register-ts.js bench/quota.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'node:perf_hooks';

import type { IDataObject } from 'n8n-workflow';

import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from '../test/fixtures';
import type { InstanceDef, Sandbox } from '../test/fixtures';

const ROWS = 1000;
const REPEATED = 0.3;
const QUOTA = 100;

/** The same number as people paste it: digits `44` + 10 more. */
const SPELLINGS: Array<(digits: string) => string> = [
	(d) => `+${d.slice(0, 2)} ${d.slice(2, 6)} ${d.slice(6)}`,
	(d) => `00${d}`,
	(d) => `(${d.slice(0, 2)}) ${d.slice(2, 6)}-${d.slice(6)}`,
	(d) => `${d}@c.us`,
];

/** A deterministic list: the same rows on every run (Park-Miller generator). */
function contactList(): { rows: IDataObject[]; distinct: number } {
	let seed = 20261125;
	const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
	const distinct = Math.round(ROWS * (1 - REPEATED));
	const numbers = Array.from({ length: distinct }, (_, i) => `4412${String(30000000 + i * 7)}`);
	const rows: IDataObject[] = numbers.map((digits, i) => ({ name: `Contact ${i}`, phone: digits }));
	for (let i = distinct; i < ROWS; i++) {
		const digits = numbers[Math.floor(random() * distinct)];
		rows.push({ name: `Contact ${i}`, phone: SPELLINGS[Math.floor(random() * SPELLINGS.length)](digits) });
	}
	// Shuffled: repeats come before and after their first appearance, as in a real export.
	for (let i = rows.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[rows[i], rows[j]] = [rows[j], rows[i]];
	}
	return { rows, distinct };
}

interface Row {
	case: string;
	requests: number;
	byStatus: Record<string, number>;
	answered: number;
	repeats: number;
	failed: number;
	seconds: number;
}

let nextInstance = 1105000000;

async function run(sandbox: Sandbox, title: string, rows: IDataObject[], quota?: number): Promise<Row> {
	const idInstance = String(nextInstance++);
	const instance: InstanceDef = { idInstance, apiTokenInstance: makeToken(idInstance), ...(quota ? { checkWhatsappQuota: quota } : {}) };
	sandbox.addInstance(instance);
	sandbox.resetStats();
	const started = performance.now();
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
		{ items: items(...rows), continueOnFail: true },
	);
	const seconds = (performance.now() - started) / 1000;
	if (result.error) throw new Error(`${title}: the run failed: ${result.error.message}`);
	const stats = sandbox.stats();
	const answered = result.items.filter((item) => typeof item.json.existsWhatsapp === 'boolean');
	return {
		case: title,
		requests: stats.byMethod.checkWhatsapp?.requests ?? 0,
		byStatus: stats.byMethod.checkWhatsapp?.byStatus ?? {},
		answered: answered.length,
		repeats: answered.filter((item) => item.json.repeatOfEarlierItem === true).length,
		failed: result.items.filter((item) => item.json.error !== undefined).length,
		seconds,
	};
}

function table(rows: Row[]): string {
	const statuses = (r: Row) => Object.entries(r.byStatus).map(([status, n]) => `${n} x ${status}`).join(', ');
	return [
		'| case | requests sent | answers | items answered (from an earlier identical check) | items failed | wall time |',
		'|---|---:|---|---:|---:|---:|',
		...rows.map((r) => `| ${r.case} | ${r.requests} | ${statuses(r)} | ${r.answered} (${r.repeats}) | ${r.failed} | ${r.seconds.toFixed(1)} s |`),
	].join('\n');
}

export async function quotaBench(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<{ text: string; pass: boolean }> {
	const { rows, distinct } = contactList();
	log(`Quota: ${rows.length} rows, ${distinct} distinct numbers, ${rows.length - distinct} repeats in other spellings; limit 10/s, latency 150 +- 50 ms`);
	const sandbox = await startSandbox({ latencyMs: 150, latencyJitterMs: 50 });
	try {
		const withQuota = await run(sandbox, `quota ${QUOTA}`, rows, QUOTA);
		log(`  quota ${QUOTA}: ${withQuota.requests} requests, ${withQuota.answered} answered, ${withQuota.failed} failed, ${withQuota.seconds.toFixed(1)} s`);
		const noQuota = await run(sandbox, 'no quota', rows);
		log(`  no quota: ${noQuota.requests} requests, ${noQuota.answered} answered, ${noQuota.failed} failed, ${noQuota.seconds.toFixed(1)} s`);
		const promises = [
			// Requests already on their way when the first 466 comes are answered 466 too: at 10/s
			// and 150 ms latency one or two are in flight at any time.
			{
				what: `quota ${QUOTA}: exactly ${QUOTA} accepted requests; 466s only for requests already on their way (at most 3)`,
				pass: withQuota.byStatus['200'] === QUOTA && (withQuota.byStatus['466'] ?? 0) >= 1 && (withQuota.byStatus['466'] ?? 0) <= 3,
			},
			{ what: 'quota: every item answered or failed', pass: withQuota.answered + withQuota.failed === rows.length },
			{ what: 'quota: the refused items wait for nothing (wall time under twice the pace of the requests sent)', pass: withQuota.seconds < (2 * (QUOTA + 1)) / 10 + 2 },
			// A 429 retried (the pacer's business, not this benchmark's) is the same request again.
			{
				what: `no quota: one accepted request per distinct number (${distinct}); requests sent = distinct numbers + 429s retried`,
				pass: noQuota.byStatus['200'] === distinct && noQuota.requests === distinct + (noQuota.byStatus['429'] ?? 0),
			},
			{ what: 'no quota: every item answered', pass: noQuota.answered === rows.length && noQuota.failed === 0 },
		];
		const text = [
			`Check WhatsApp on ${rows.length} rows (${distinct} distinct numbers, ${rows.length - distinct} repeats in other spellings), GREEN-API's limit 10/s, latency 150 +- 50 ms, On Error: Continue:`,
			'',
			table([withQuota, noQuota]),
			'',
			...promises.map((p) => `- ${p.pass ? 'kept' : 'NOT KEPT'}: ${p.what}`),
		].join('\n');
		return { text, pass: promises.every((p) => p.pass) };
	} finally {
		await sandbox.close();
	}
}

const HEADING = '## Check WhatsApp on a contact list: repeats and the monthly quota';

/** Puts this case's section into BENCHMARKS.md (replacing an older one), before "How it is measured". */
function writeSection(text: string): void {
	const file = path.join(__dirname, '..', 'BENCHMARKS.md');
	const doc = fs.readFileSync(file, 'utf8');
	const section = `${HEADING}\n\nGenerated by \`npm run bench:quota\` on ${new Date().toISOString().slice(0, 10)}.\n\n${text}\n\n`;
	const start = doc.indexOf(HEADING);
	let out: string;
	if (start >= 0) {
		const next = doc.indexOf('\n## ', start + HEADING.length);
		out = doc.slice(0, start) + section + (next >= 0 ? doc.slice(next + 1) : '');
	} else {
		const before = doc.indexOf('## How it is measured');
		out = before >= 0 ? doc.slice(0, before) + section + doc.slice(before) : `${doc.trimEnd()}\n\n${section}`;
	}
	fs.writeFileSync(file, out);
}

if (require.main === module) {
	quotaBench()
		.then(({ text, pass }) => {
			process.stdout.write(`\n${text}\n`);
			if (!process.argv.includes('--no-write')) writeSection(text);
			if (!pass) process.exitCode = 1;
		})
		.catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		});
}
