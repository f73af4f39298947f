/**
 * The multi-process case: W separate Node processes (as n8n's queue-mode workers are), each
 * running n8n-core with our node on its own execution of Check WhatsApp items, all on one
 * instance of the sandbox, which runs in a process of its own (sandbox/cli.js) and enforces
 * GREEN-API's 10 checkWhatsapp requests per sliding second with ~100 ms latency.
 *
 * The pacers in the processes cannot see each other; what this measures is how well they share
 * the instance by learning from its 429s (nodes/client/pacing.ts).
 */
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';

import { shareOfLimit } from '../test/arrivals';
import { makeToken } from '../test/fixtures';
import { fixed, maxInWindow, percent, table } from './measure';
import type { WorkerReport } from './multi-worker';

const ROOT = resolve(__dirname, '..');
export const MULTI_LIMIT = 10;
export const MULTI_LATENCY_MS = 100;
export const MULTI_JITTER_MS = 20;

/** The target for processes that share an instance (W = 2 and 4): at least 85% of the limit, at most 5% of requests answered 429. */
export function meetsSharingTarget(share: number, limitedShare: number): boolean {
	return share >= 0.85 && limitedShare <= 0.05;
}

export interface MultiCase {
	processes: number;
	items: number;
	/** The node's Max Requests Per Second option, when set. */
	maxPerSecond?: number;
	/** Which run of the same case this is (cases with targets run more than once), and of how many. */
	run?: [number, number];
}

export interface MultiRow extends MultiCase {
	requests: number;
	http429: number;
	failed: number;
	misplaced: number;
	reasons: Record<string, number>;
	/** Accepted requests per second from the first to the last, against the limit. */
	share: number;
	/** Items answered per second from `go` to the last process done, against the limit. */
	wallShare: number;
	wallS: number;
	peakPerWindow: number;
	/** From `go` to each process's first request: fastest and slowest. */
	firstRequestS: [number, number];
	/** When each process finished, from `go`. */
	doneS: number[];
	loadBefore: number;
	loadAfter: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

interface SandboxProcess {
	url: string;
	admin<T>(verb: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
	stop(): Promise<void>;
}

async function startSandboxProcess(): Promise<SandboxProcess> {
	const child = spawn(process.execPath, [join(ROOT, 'sandbox/cli.js'), '--port', '0', '--latency', String(MULTI_LATENCY_MS), '--jitter', String(MULTI_JITTER_MS), '--instance', `1101007000:${makeToken('1101007000')}`], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise<string>((resolveUrl, reject) => {
		let out = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const match = /listening on (http:\/\/\S+)/.exec(out);
			if (match) resolveUrl(match[1]);
		});
		child.once('exit', (code) => reject(new Error(`sandbox/cli.js exited with ${code}: ${out}`)));
	});
	child.stdout!.resume();
	const admin = async <T>(verb: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${url}${path}`, {
			method: verb,
			headers: { 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`${verb} ${path}: ${response.status} ${await response.text()}`);
		return (await response.json()) as T;
	};
	const stop = async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((done) => child.once('exit', done));
		child.kill('SIGTERM');
		await exited;
	};
	return { url, admin, stop };
}

interface Stats {
	total: number;
	byStatus: Record<string, number>;
	arrivals: Record<string, number[]>;
}

function startWorker(args: string[]): { child: ChildProcess; ready: Promise<void>; report: Promise<WorkerReport> } {
	const child = fork(join(__dirname, 'multi-worker.ts'), args, { execArgv: ['-r', join(__dirname, 'register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let onReady: () => void;
	const ready = new Promise<void>((r) => (onReady = r));
	const report = new Promise<WorkerReport>((resolveReport, reject) => {
		child.on('message', (message) => {
			if (message === 'ready') onReady();
			else resolveReport(message as WorkerReport);
		});
		child.once('exit', (code) => {
			if (code !== 0) reject(new Error(`bench worker exited with ${code}`));
		});
	});
	return { child, ready, report };
}

let nextInstance = 1101007001;

async function runCase(sandbox: SandboxProcess, spec: MultiCase): Promise<MultiRow> {
	const idInstance = String(nextInstance++);
	const token = makeToken(idInstance);
	await sandbox.admin('POST', '/admin/instances', { idInstance, apiTokenInstance: token, checkWhatsappQuota: 1e9 });
	const workers = Array.from({ length: spec.processes }, (_, p) =>
		startWorker([sandbox.url, idInstance, token, String(spec.items), String(p * spec.items), ...(spec.maxPerSecond ? [String(spec.maxPerSecond)] : [])]),
	);
	try {
		await Promise.all(workers.map((w) => w.ready));
		await sandbox.admin('POST', '/admin/stats/reset');
		const loadBefore = os.loadavg()[0];
		const goAt = Date.now();
		for (const w of workers) w.child.send('go');
		const reports = await Promise.all(workers.map((w) => w.report));
		const stats = await sandbox.admin<Stats>('GET', '/admin/stats');
		const accepted = stats.arrivals.checkWhatsapp ?? [];
		const ok = reports.reduce((sum, r) => sum + r.ok, 0);
		const lastDone = Math.max(...reports.map((r) => r.doneAt));
		const reasons: Record<string, number> = {};
		for (const r of reports) for (const [reason, n] of Object.entries(r.reasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
		const firsts = reports.map((r) => (r.firstRequestAt - goAt) / 1000);
		const row: MultiRow = {
			...spec,
			requests: stats.total,
			http429: stats.byStatus['429'] ?? 0,
			failed: reports.reduce((sum, r) => sum + r.failed, 0),
			misplaced: reports.reduce((sum, r) => sum + r.misplaced, 0),
			reasons,
			share: shareOfLimit(accepted, MULTI_LIMIT),
			wallShare: ok / ((lastDone - goAt) / 1000) / MULTI_LIMIT,
			wallS: (lastDone - goAt) / 1000,
			peakPerWindow: maxInWindow(accepted),
			firstRequestS: [Math.min(...firsts), Math.max(...firsts)],
			doneS: reports.map((r) => (r.doneAt - goAt) / 1000),
			loadBefore,
			loadAfter: os.loadavg()[0],
		};
		log(
			`  ${label(row)}: ${percent(row.share)} of the limit (${percent(row.wallShare)} over the wall time ${fixed(row.wallS, 1)} s), ` +
				`${row.http429} x 429 of ${row.requests} (${percent(row.http429 / row.requests)}), ${row.failed} failed, ${row.misplaced} misplaced, ` +
				`first request ${fixed(row.firstRequestS[0], 2)}-${fixed(row.firstRequestS[1], 2)} s, done ${row.doneS.map((s) => fixed(s, 1)).join('/')} s, load ${fixed(loadBefore, 1)}->${fixed(row.loadAfter, 1)}`,
		);
		for (const [reason, count] of Object.entries(reasons)) log(`    ${count} x ${reason}`);
		return row;
	} finally {
		for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
	}
}

export function label(row: MultiCase): string {
	const run = row.run ? ` (run ${row.run[0]} of ${row.run[1]})` : '';
	return `${row.processes} x ${row.items}${row.maxPerSecond ? `, Max Requests Per Second ${row.maxPerSecond}` : ''}${run}`;
}

/** The process counts with targets: one run says little (how the processes' shares fall varies), so they run several times. */
const TARGET_PROCESSES = [2, 4];
export const MULTI_RUNS = 3;

export function multiCases(runs = MULTI_RUNS, only?: number[]): MultiCase[] {
	const cases: MultiCase[] = [];
	for (const processes of [1, 2, 4, 8]) {
		if (only && !only.includes(processes)) continue;
		const n = TARGET_PROCESSES.includes(processes) ? runs : 1;
		for (let run = 1; run <= n; run++) cases.push({ processes, items: 100, ...(n > 1 ? { run: [run, n] as [number, number] } : {}) });
	}
	if (!only || only.includes(4)) cases.push({ processes: 4, items: 100, maxPerSecond: Math.floor(MULTI_LIMIT / 4) });
	return cases;
}

export async function multiProcess(cases = multiCases()): Promise<MultiRow[]> {
	log(`Several processes, one instance: limit ${MULTI_LIMIT}/s, latency ${MULTI_LATENCY_MS} +- ${MULTI_JITTER_MS} ms, sandbox in a process of its own`);
	const sandbox = await startSandboxProcess();
	try {
		const rows: MultiRow[] = [];
		for (const spec of cases) rows.push(await runCase(sandbox, spec));
		return rows;
	} finally {
		await sandbox.stop();
	}
}

export interface MultiTarget {
	what: string;
	measured: string;
	pass: boolean;
}

export function multiTargets(rows: MultiRow[]): MultiTarget[] {
	const adaptive = rows.filter((r) => !r.maxPerSecond);
	const targets: MultiTarget[] = [
		{
			what: 'Several processes: 0 failed items at every W (and every answer in its input position)',
			measured: [...new Set(adaptive.map((r) => r.processes))]
				.map((w) => {
					const runs = adaptive.filter((r) => r.processes === w);
					const sum = (f: (r: MultiRow) => number) => runs.reduce((total, r) => total + f(r), 0);
					return `W=${w}: ${sum((r) => r.failed)} failed, ${sum((r) => r.misplaced)} misplaced${runs.length > 1 ? ` in ${runs.length} runs` : ''}`;
				})
				.join('; '),
			pass: rows.every((r) => r.failed === 0 && r.misplaced === 0),
		},
	];
	for (const w of TARGET_PROCESSES) {
		const runs = adaptive.filter((x) => x.processes === w);
		if (runs.length === 0) continue;
		const met = runs.filter((r) => meetsSharingTarget(r.share, r.http429 / r.requests)).length;
		const each = runs.map((r) => `${percent(r.share)}, ${r.http429} of ${r.requests} = ${fixed((100 * r.http429) / r.requests, 1)}%`);
		targets.push({
			what: `Several processes, W=${w}: at least 85% of the limit, at most 5% of requests answered 429`,
			measured: runs.length === 1 ? each[0] : `met in ${met} of ${runs.length} runs (${each.join('; ')})`,
			pass: met === runs.length,
		});
	}
	return targets;
}

export function multiSection(rows: MultiRow[]): string {
	const rowsTable = table(
		['processes x items', 'of the limit', 'requests answered 429', 'failed items', 'first request', 'each process done', 'max in 1 s', 'load (1 min) before -> after'],
		rows.map((r) => [
			label(r),
			`${percent(r.share)} (${percent(r.wallShare)} of the wall time)`,
			`${r.http429} of ${r.requests} (${fixed((100 * r.http429) / r.requests, 1)}%)`,
			String(r.failed),
			r.processes === 1 ? `${fixed(r.firstRequestS[0], 2)} s` : `${fixed(r.firstRequestS[0], 2)}-${fixed(r.firstRequestS[1], 2)} s`,
			`${[...r.doneS].sort((a, b) => a - b).map((d) => fixed(d, 1)).join(', ')} s`,
			String(r.peakPerWindow),
			`${fixed(r.loadBefore, 1)} -> ${fixed(r.loadAfter, 1)}`,
		]),
	);
	return `<!-- multi:start -->
## Several processes on one instance (queue mode)

W separate Node processes (as n8n's queue-mode workers are), each running n8n-core with our node
(the test harness) on its own execution of Check WhatsApp items, all on ONE instance of the
sandbox, which runs in a process of its own (sandbox/cli.js) with GREEN-API's limit of ${MULTI_LIMIT}
checkWhatsapp requests per sliding second (not scaled) and ${MULTI_LATENCY_MS} +- ${MULTI_JITTER_MS} ms latency. The processes
are started, load n8n, and then all start their execution at the same moment. Their pacers
cannot see each other: they learn from the 429s (nodes/client/pacing.ts,
docs/PACING.md). The last row sets Max Requests Per Second to the limit divided by
the number of processes, rounded down to a whole number: the way to get no 429 at all. The
cases with targets (W = ${TARGET_PROCESSES.join(' and ')}) run ${MULTI_RUNS} times: how the processes' shares fall differs from one
run to the next, and so does the result; a target passes only when every run meets it.

${rowsTable}

${table(['target', 'measured', 'result'], multiTargets(rows).map((t) => [t.what, t.measured, t.pass ? 'PASS' : 'FAIL']))}

- **of the limit**: requests the sandbox accepted per second, from the first accepted to the
  last, against ${MULTI_LIMIT}/s; in brackets: answered items per second from the common start to
  the last process done (includes n8n preparing the items and processes that finish late).
- **requests answered 429**: of all requests the sandbox received, retries included. Every 429
  is retried (after \`Retry-After\` or a backoff); **failed items** are items that still failed.
- **first request**: from the common start to each process's first HTTP request (fastest and
  slowest process); n8n prepares all items of an execution before the first one is sent, and
  the processes share 2 cores.
- **Why W=4 varies**: 4 processes split the limit of ${MULTI_LIMIT} into whole shares (3 + 3 + 2 + 2: a
  pace of whole requests per second is what keeps their sum under the limit), so equal
  executions end at different times. The processes left can only find out that the others
  have gone by stepping up and meeting no 429, and each step that meets a full second costs a
  429 (the budget here is 5%). How long they take decides the run: see when each process was
  done in the runs under 85%.
  \`node -r ./scripts/lib/register-ts.js bench/simulate.ts\` runs these cases on a virtual clock (16
  seeds for each way of starting), and again with the processes left told when one finishes,
  at once or 2 or 4 s later: a what-if no pacer can do. Told within 2 s, W=4 meets the targets
  in 15 of 16 seeds; docs/PACING.md explains why finding out through 429s takes longer.
- **load**: the 1-minute load average of the machine around each case (2 cores; other work
  ran on the machine during the benchmark).
- Alone: \`npm run bench -- multi\` runs only this case and rewrites only this section
  (\`npm run bench -- multi --no-write\` prints it).
<!-- multi:end -->`;
}
