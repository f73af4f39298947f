/**
 * n8n 2.41.1 in queue mode, the way businesses scale it: PostgreSQL and Redis (Debian's, started
 * by scripts/lib/services.js on free ports with their data in temp folders), one main
 * (EXECUTIONS_MODE=queue: editor, webhooks, triggers) and two `n8n worker` processes (they run
 * the executions), all sharing N8N_ENCRYPTION_KEY and the database. Each process has its own user
 * folder with our packed tarball installed in .n8n/nodes, as a Docker container per process has.
 *
 * One main and two workers serve every test; the SIGKILL test runs last because it leaves one
 * worker. Proves: a production execution runs on a worker (its log names the execution), Get QR
 * Code's PNG reaches the stored execution byte for byte, the trigger fires once per state change,
 * 4 x 100 Check WhatsApp items spread over both workers with no failed item, and what n8n does
 * with an execution whose worker dies.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';

import { METHODS } from '../../nodes/GreenApi/resources/instance';
import { shareOfLimit } from '../arrivals';
import { INSTANCES as E2E_INSTANCES, NODE_TYPE, TRIGGER_TYPE, env, waitFor } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/lib/services.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox } = require('../../sandbox/server.js');

type Json = Record<string, any>;

const MIN = 60e3;
const VERSION = env.DEFAULT_N8N_VERSION as string;

const INSTANCES = {
	main: { ...E2E_INSTANCES.main },
	trigger: { ...E2E_INSTANCES.trigger },
	qr: { idInstance: '1101000004', apiTokenInstance: 'e2e0qrcode'.padEnd(50, '1a2b3c4d5e'), stateInstance: 'notAuthorized' },
	bulk: { idInstance: '1101000005', apiTokenInstance: 'e2e0bulk'.padEnd(50, '6f7e8d9c0b'), stateInstance: 'authorized' },
	kill: { idInstance: '1101000006', apiTokenInstance: 'e2e0kill'.padEnd(50, 'a0b9c8d7e6'), stateInstance: 'authorized' },
};
const TOKENS = Object.values(INSTANCES).map((i) => i.apiTokenInstance);
const cred = (key: keyof typeof INSTANCES) => ({ id: `GreenApiQueue${key}`.slice(0, 16).padEnd(16, '0'), name: `GREEN-API queue ${key}` });

// ---- workflows: production executions need an active workflow; a Webhook trigger (on the main)
// ---- hands each call to the queue, where a worker picks it up.

function webhookWorkflow(id: string, hookPath: string, nodes: Json[]): Json {
	const all: Json[] = [
		{ id: `${id}-w`, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: crypto.randomUUID(), parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} } },
		...nodes.map((n, i) => ({ id: `${id}-${i}`, typeVersion: 1, position: [240 * (i + 1), 0], ...n })),
	];
	const connections: Json = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name: `queue ${id}`, active: false, settings: { executionOrder: 'v1' }, nodes: all, connections, pinData: {} };
}

const greenApi = (key: keyof typeof INSTANCES, parameters: Json) => ({
	name: 'GREEN-API',
	type: NODE_TYPE,
	parameters: { resource: 'instance', options: {}, ...parameters },
	credentials: { greenApi: cred(key) },
});

/** The webhook body's `numbers` become one item each (a Code node: it runs in the worker's task runner). */
const splitNumbers = {
	name: 'One item per number',
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: { jsCode: 'return $input.first().json.body.numbers.map((phone) => ({ json: { phone } }));' },
};

const WF = {
	state: webhookWorkflow('QueueGetState001', 'queue-state', [greenApi('main', { operation: 'getState' })]),
	qr: webhookWorkflow('QueueQrCode00001', 'queue-qr', [greenApi('qr', { operation: 'getQrCode' })]),
	bulk: webhookWorkflow('QueueBulkCheck01', 'queue-bulk', [splitNumbers, greenApi('bulk', { operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' })]),
	kill: webhookWorkflow('QueueKillCheck01', 'queue-kill', [splitNumbers, greenApi('kill', { operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' })]),
	trigger: {
		id: 'QueueTrigger0001',
		name: 'queue trigger',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'qt-t', name: 'GREEN-API Trigger', type: TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, states: [], options: {} }, credentials: { greenApi: cred('trigger') } },
			{ id: 'qt-n', name: 'State changed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
		],
		connections: { 'GREEN-API Trigger': { main: [[{ node: 'State changed', type: 'main', index: 0 }]] } },
		pinData: {},
	},
};

/** n 12-digit numbers from an 8-digit prefix; one ending in 0 has no WhatsApp (the sandbox's rule). */
const numbers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

interface Proc {
	name: string;
	home: string;
	handle: any;
}

// GREEN_API_E2E_VERSIONS=1.123.81 (say) asks for the other line only: queue mode is checked on 2.41.1.
const WANTED = !process.env.GREEN_API_E2E_VERSIONS || process.env.GREEN_API_E2E_VERSIONS.split(',').map((v) => v.trim()).includes(VERSION);

(WANTED ? describe : describe.skip)(`n8n ${VERSION} in queue mode: main + 2 workers, PostgreSQL, Redis`, () => {
	let sandbox: any;
	let postgres: any;
	let redis: any;
	let main: Proc;
	let workers: Proc[] = [];
	let client: any;
	let flatted: any;
	const started = Date.now();
	let triggerPollsAtActivation = 0;

	const log = (msg: string) => process.stderr.write(`${msg}\n`);
	const triggerPolls = () => sandbox.stats().byInstance?.[INSTANCES.trigger.idInstance]?.requests ?? 0;

	beforeAll(async () => {
		const n8n = await env.ensureN8n(VERSION, { log });
		const tgz = await env.packPackage({ log });
		const bins = await services.ensureServices({ log });
		sandbox = await startSandbox({ port: 0, instances: Object.values(INSTANCES).map((i) => ({ ...i })) });
		[postgres, redis] = await Promise.all([services.startPostgres({ ...bins, log }), services.startRedis({ ...bins, log })]);
		const shared = {
			...services.queueModeEnv({ postgres, redis, encryptionKey: crypto.randomBytes(24).toString('hex') }),
			// Short Bull locks, so that a dead worker's job is seen as stalled within ~20 s (n8n's
			// defaults: 60 s lock renewed every 10 s, stalled check every 30 s). All else as shipped.
			QUEUE_WORKER_LOCK_DURATION: '15000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
			QUEUE_WORKER_STALLED_INTERVAL: '5000',
		};
		const home = async (name: string) => {
			const h = env.createN8nHome(`green-api-queue-${name}-`);
			await env.installPackage(h, tgz, { log });
			return h;
		};
		const [mainHome, w1Home, w2Home] = await Promise.all([home('main'), home('worker1'), home('worker2')]);
		// Imports go into the shared database (through the main's user folder).
		await env.importCredentials(
			n8n,
			mainHome,
			(Object.keys(INSTANCES) as (keyof typeof INSTANCES)[]).map((k) => ({
				...cred(k),
				type: 'greenApi',
				data: { apiUrl: sandbox.url, idInstance: INSTANCES[k].idInstance, apiTokenInstance: INSTANCES[k].apiTokenInstance },
			})),
			{ log, env: shared },
		);
		await env.importWorkflows(n8n, mainHome, Object.values(WF), { log, env: shared });
		main = { name: 'main', home: mainHome, handle: await env.startN8n(n8n, mainHome, { log, env: shared }) };
		workers = [];
		for (const [name, h] of [['worker1', w1Home], ['worker2', w2Home]] as const) {
			// Two executions at a time each, so that 4 started together must use both workers.
			workers.push({ name, home: h, handle: await env.startWorker(n8n, h, { name, concurrency: 2, log, env: shared }) });
		}
		client = new env.N8nClient(main.handle.url);
		await client.login();
		flatted = createRequire(path.join(n8n.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
		for (const wf of [WF.state, WF.qr, WF.bulk, WF.kill]) await activate(wf.id);
		// The trigger's minute-by-minute polls overlap with the other tests; its test comes later.
		await activate(WF.trigger.id);
		await waitFor('the trigger\'s activation poll', () => triggerPolls() >= 1, 60e3, 250);
		triggerPollsAtActivation = triggerPolls();
		log(`  ✓ queue mode up in ${env.fmtSecs(Date.now() - started)}`);
	}, 30 * MIN);

	afterAll(async () => {
		const errors: unknown[] = [];
		const logs = path.join(env.CACHE_DIR, 'e2e-logs');
		fs.mkdirSync(logs, { recursive: true });
		for (const p of [...workers, main].filter(Boolean)) {
			try {
				if (!p.handle.exited) await p.handle.stop();
			} catch (err) {
				errors.push(err);
			}
			if (fs.existsSync(p.handle.logFile)) fs.copyFileSync(p.handle.logFile, path.join(logs, `queue-${p.name}.log`));
			if (!process.env.E2E_KEEP_HOME) fs.rmSync(p.home, { recursive: true, force: true });
		}
		for (const s of [redis, postgres, sandbox]) {
			try {
				if (s) await (s.close ? s.close() : s.stop());
			} catch (err) {
				errors.push(err);
			}
		}
		log(`  queue-mode suite: ${env.fmtSecs(Date.now() - started)} wall time`);
		if (errors.length) throw errors[0];
	}, 3 * MIN);

	async function activate(id: string) {
		const wf = await client.getWorkflow(id);
		await client.request('POST', `/rest/workflows/${id}/activate`, { versionId: wf.versionId });
	}

	async function hook(hookPath: string, body: Json = {}) {
		const res = await fetch(`${main.handle.url}/webhook/${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		expect(res.status).toBe(200);
	}

	async function executionsOf(workflowId: string): Promise<Json[]> {
		const res = await client.request('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`);
		return res.results ?? res;
	}

	/** Waits for `count` executions of the workflow, all ended (stoppedAt set). */
	async function settled(workflowId: string, count: number, timeoutMs: number): Promise<Json[]> {
		return waitFor(
			`${count} ended executions of ${workflowId}`,
			async () => {
				const list = await executionsOf(workflowId);
				return list.length >= count && list.every((x) => x.stoppedAt) ? list : undefined;
			},
			timeoutMs,
			500,
		);
	}

	async function execution(id: string) {
		const e = await client.request('GET', `/rest/executions/${id}`);
		const data = typeof e.data === 'string' ? flatted.parse(e.data) : e.data;
		const run = (node: string) => data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? [];
		return { ...e, raw: typeof e.data === 'string' ? e.data : JSON.stringify(e.data), data, items: (node: string) => run(node).map((i: Json) => i.json), binaries: (node: string) => run(node).map((i: Json) => i.binary) };
	}

	/** The worker whose log says it ran execution id ("Worker started execution <id> (job <n>)"). */
	function workerOf(id: string): string[] {
		const re = new RegExp(`Worker started execution ${id} \\(job`);
		return workers.filter((w) => re.test(w.handle.readLog())).map((w) => w.name);
	}

	test('the package is installed in each process\'s user folder and every process loaded it', () => {
		for (const p of [main, ...workers]) {
			const installed = path.join(p.home, '.n8n', 'nodes', 'node_modules', env.PACKAGE_NAME, 'package.json');
			expect(fs.existsSync(installed)).toBe(true);
		}
		for (const w of workers) expect(w.handle.readLog()).toMatch(/n8n worker is now ready/);
	});

	test('a production execution runs on a worker, not the main, with the right output', async () => {
		sandbox.setState(INSTANCES.main.idInstance, 'yellowCard');
		try {
			await hook('queue-state');
			const [x] = await settled(WF.state.id, 1, 60e3);
			const e = await execution(x.id);
			expect(e.status).toBe('success');
			expect(e.mode).toBe('webhook');
			expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ stateInstance: 'yellowCard' })]);
			const ranOn = workerOf(x.id);
			log(`  execution ${x.id} ran on ${ranOn.join(', ')}`);
			expect(ranOn).toHaveLength(1);
			expect(main.handle.readLog()).toMatch(new RegExp(`Enqueued execution ${x.id} `));
		} finally {
			sandbox.setState(INSTANCES.main.idInstance, 'authorized');
		}
	}, 3 * MIN);

	test('Get QR Code: the PNG the sandbox sent is in the stored execution, byte for byte (binary data in the database)', async () => {
		const qrUrl = `${sandbox.url}/waInstance${INSTANCES.qr.idInstance}/qr/${INSTANCES.qr.apiTokenInstance}`;
		const sandboxPng = async () => {
			const answer = (await (await fetch(qrUrl)).json()) as { message: string };
			return Buffer.from(answer.message, 'base64');
		};
		// The sandbox's QR changes every 20 s like GREEN-API's: the node got one of these two.
		const before = await sandboxPng();
		await hook('queue-qr');
		const [x] = await settled(WF.qr.id, 1, 60e3);
		const after = await sandboxPng();
		const e = await execution(x.id);
		expect(e.status).toBe('success');
		expect(workerOf(x.id)).toHaveLength(1);
		expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ type: 'qrCode' })]);
		const [binary] = e.binaries('GREEN-API');
		const file = binary.data;
		expect(file).toEqual(expect.objectContaining({ mimeType: 'image/png' }));
		// Queue mode keeps binary data out of the execution JSON: 2.x defaults to the database.
		expect(String(file.id)).toMatch(/^database:/);
		const bytes: Buffer = await client.bytes(`/rest/binary-data?id=${encodeURIComponent(file.id)}&action=download`);
		expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
		expect([before.toString('hex'), after.toString('hex')]).toContain(bytes.toString('hex'));
	}, 3 * MIN);

	test('4 executions of 100 Check WhatsApp items started together: spread over both workers, no failed item', async () => {
		// (no resetStats: the trigger's test counts polls across the whole run)
		const checks = () => sandbox.stats().byMethod.checkWhatsapp ?? { requests: 0, rateLimited: 0 };
		const before = checks();
		const acceptedBefore = (sandbox.stats().arrivals.checkWhatsapp ?? []).length;
		const batches = [0, 1, 2, 3].map((b) => numbers(`7900100${b}`, 100));
		const t0 = Date.now();
		await Promise.all(batches.map((n) => hook('queue-bulk', { numbers: n })));
		const list = await settled(WF.bulk.id, 4, 5 * MIN);
		const wall = Date.now() - t0;
		expect(list).toHaveLength(4);
		const byWorker: Record<string, number> = {};
		const seen = new Set<string>();
		for (const x of list) {
			const e = await execution(x.id);
			expect(e.status).toBe('success');
			const out = e.items('GREEN-API');
			expect(out).toHaveLength(100);
			expect(out.filter((i: Json) => i.error)).toEqual([]);
			const phones = out.map((i: Json) => String(i.phoneNumber));
			const batch = batches.find((b) => b[0] === phones[0]);
			expect(phones).toEqual(batch);
			expect(out.map((i: Json) => i.existsWhatsapp)).toEqual(batch!.map((p) => !p.endsWith('0')));
			seen.add(phones[0]);
			for (const w of workerOf(x.id)) byWorker[w] = (byWorker[w] ?? 0) + 1;
		}
		expect(seen.size).toBe(4);
		const after = checks();
		const stats = { requests: after.requests - before.requests, rateLimited: after.rateLimited - before.rateLimited };
		// Printed, not asserted: the share and the 429s vary from run to run (BENCHMARKS.md keeps
		// what runs printed; the targets are the benchmark's, `npm run bench -- multi`).
		const accepted = (sandbox.stats().arrivals.checkWhatsapp ?? []).slice(acceptedBefore);
		log(
			`  4 x 100 items: ${wall} ms, executions per worker ${JSON.stringify(byWorker)}, ` +
				`${stats.requests} checkWhatsapp requests, ${stats.rateLimited} answered 429 (${((100 * stats.rateLimited) / stats.requests).toFixed(1)}%), ` +
				`${(100 * shareOfLimit(accepted, METHODS.checkWhatsapp.perSecond)).toFixed(0)}% of the limit over ${((Math.max(...accepted) - Math.min(...accepted)) / 1000).toFixed(1)} s`,
		);
		expect(Object.values(byWorker).reduce((a, b) => a + b, 0)).toBe(4);
		// Each worker runs 2 at a time: 4 started together need both.
		expect(Object.keys(byWorker).sort()).toEqual(['worker1', 'worker2']);
		expect(stats.requests - stats.rateLimited).toBe(400);
	}, 8 * MIN);

	test('each worker\'s task runner (which ran the Code node) runs on the Node 24 n8n runs on', async () => {
		if (process.platform !== 'linux') return; // /proc
		const node24 = fs.realpathSync(main.handle.child.spawnfile);
		for (const p of [main, ...workers]) {
			const children: number[] = await env.descendants(p.handle.pid);
			expect(children.length).toBeGreaterThan(0);
			for (const pid of children) expect(`${p.name}: ${fs.realpathSync(`/proc/${pid}/exe`)}`).toBe(`${p.name}: ${node24}`);
		}
	});

	test('the trigger (on the main) fires once per state change and never without one, with both workers up', async () => {
		const id = INSTANCES.trigger.idInstance;
		// A scheduled poll with the state unchanged (the earlier tests gave it time to happen).
		await waitFor('a scheduled poll with the state unchanged', () => triggerPolls() > triggerPollsAtActivation, 80e3, 250);
		await env.sleep(3000);
		expect(await executionsOf(WF.trigger.id)).toHaveLength(0);

		sandbox.setState(id, 'yellowCard');
		const beforeChange = triggerPolls();
		await waitFor('the poll after the state change', () => triggerPolls() > beforeChange, 80e3, 250);
		const list = await settled(WF.trigger.id, 1, 30e3);
		const afterChange = triggerPolls();
		expect(list).toHaveLength(1);
		const e = await execution(list[0].id);
		expect(e.status).toBe('success');
		expect(e.mode).toBe('trigger');
		expect(workerOf(list[0].id)).toHaveLength(1);
		expect(e.items('GREEN-API Trigger')).toEqual([expect.objectContaining({ event: 'stateChanged', idInstance: id, stateInstance: 'yellowCard', previousState: 'authorized' })]);
		// The next poll sees the same state: still one execution.
		await waitFor('one more poll', () => triggerPolls() > afterChange, 80e3, 250);
		await env.sleep(3000);
		expect(await executionsOf(WF.trigger.id)).toHaveLength(1);
		await client.request('POST', `/rest/workflows/${WF.trigger.id}/deactivate`, {});
	}, 5 * MIN);

	test('a worker killed with SIGKILL mid-run: its executions end in an error saying so, none is lost, none runs twice', async () => {
		// 6 x 50 items at GREEN-API's 10 per second: about half a minute of work, 2 at a time per worker.
		{
			const batches = [0, 1, 2, 3, 4, 5].map((b) => numbers(`7911000${b}`, 50));
			for (const n of batches) await hook('queue-kill', { numbers: n });
			const victim = workers[0];
			// Kill when the victim is running one and another execution already ended.
			const running = await waitFor(
				'an execution running on worker1 while another has ended',
				async () => {
					const list = await executionsOf(WF.kill.id);
					const onVictim = list.filter((x) => !x.stoppedAt && workerOf(x.id).includes(victim.name));
					return list.some((x) => x.status === 'success') && onVictim.length ? onVictim : undefined;
				},
				3 * MIN,
				250,
			);
			const before = await executionsOf(WF.kill.id);
			const doneBefore = before.filter((x) => x.status === 'success').map((x) => String(x.id));
			process.kill(-victim.handle.pid, 'SIGKILL');
			await waitFor('worker1 gone', () => victim.handle.exited, 10e3, 100);
			log(`  killed worker1 (pid ${victim.handle.pid}) while it ran execution(s) ${running.map((x) => x.id).join(', ')}; done before: ${doneBefore.join(', ')}`);

			const list = await settled(WF.kill.id, 6, 4 * MIN);
			const status = Object.fromEntries(list.map((x) => [String(x.id), x.status]));
			log(`  after the kill: ${JSON.stringify(status)}`);
			// nothing lost, nothing created twice: still the six executions the six calls made
			expect(list).toHaveLength(6);
			// what had ended stays as it was
			for (const id of doneBefore) expect(status[id]).toBe('success');
			// What ran on the dead worker is not retried on the other one: once its Bull job is
			// stalled (maxStalledCount 0 in n8n), the main ends the execution with an error.
			for (const x of running) {
				expect(status[String(x.id)]).toBe('error');
				expect(workerOf(String(x.id))).toEqual([victim.name]);
				const e = await execution(String(x.id));
				const message = e.data?.resultData?.error?.message;
				log(`  execution ${x.id}: "${message}"; nodes with output: ${Object.keys(e.data?.resultData?.runData ?? {}).join(', ') || 'none'}`);
				expect(message).toMatch(/failed to be processed too many times and will no longer retry/);
			}
			// every other execution ended well, each with its own 50 items once
			const seen: string[] = [];
			for (const x of list.filter((y) => y.status === 'success')) {
				const out = (await execution(x.id)).items('GREEN-API');
				expect(out).toHaveLength(50);
				expect(out.filter((i: Json) => i.error)).toEqual([]);
				seen.push(String(out[0].phoneNumber));
			}
			expect(new Set(seen).size).toBe(seen.length);
			expect(list.filter((x) => x.status === 'success').length).toBe(6 - running.length);
		}
	}, 10 * MIN);

	test('no API token in any stored execution or any process\'s log', async () => {
		const all = await client.request('GET', '/rest/executions?limit=100');
		const texts: string[] = [];
		for (const x of all.results ?? all) texts.push((await execution(x.id)).raw);
		expect(texts.length).toBeGreaterThan(0);
		const logs = [main, ...workers].map((p) => p.handle.readLog());
		for (const token of TOKENS) {
			for (const t of [...texts, ...logs]) expect(t.includes(token)).toBe(false);
		}
	});
});
