/**
 * Shared set-up for the end-to-end suite: one real n8n per version, with our package installed
 * from its `npm pack` tarball, credentials and workflows imported through the n8n CLI, and the
 * GREEN-API sandbox behind it. Everything started here is stopped by `stop()`, which the suite
 * calls in afterAll (so also when a test fails).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const env = require('../../scripts/n8n-env.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox } = require('../../sandbox/server.js');

export { env };

export const PKG = env.PACKAGE_NAME as string;
export const NODE_TYPE = `${PKG}.greenApi`;
export const TRIGGER_TYPE = `${PKG}.greenApiTrigger`;
export const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';

/**
 * Sandbox instances: one for the read-only operations (with two messages in its outgoing queue,
 * so that a queue answer has fields to show), one for the trigger, one to log out and reboot, and
 * one never linked (for what GREEN-API only answers before a phone is linked).
 */
export const INSTANCES = {
	main: { idInstance: '1101000001', apiTokenInstance: 'e2e0main'.padEnd(50, 'a1b2c3d4e5'), stateInstance: 'authorized', queue: 2 },
	trigger: { idInstance: '1101000002', apiTokenInstance: 'e2e0trig'.padEnd(50, 'f6e5d4c3b2'), stateInstance: 'authorized' },
	rough: { idInstance: '1101000003', apiTokenInstance: 'e2e0rough'.padEnd(50, '9a8b7c6d5e'), stateInstance: 'authorized' },
	unlinked: { idInstance: '1101000004', apiTokenInstance: 'e2e0unlnk'.padEnd(50, '5e4d3c2b1a'), stateInstance: 'notAuthorized' },
};
/** A token the sandbox does not know: the 401 case. It must not show up anywhere either. */
export const WRONG_TOKEN = 'e2e0wrong'.padEnd(50, '0f1e2d3c4b');
export const ALL_TOKENS = [...Object.values(INSTANCES).map((i) => i.apiTokenInstance), WRONG_TOKEN];

export const CRED = {
	main: { id: 'GreenApiE2eMain1', name: 'GREEN-API e2e main' },
	trigger: { id: 'GreenApiE2eTrig1', name: 'GREEN-API e2e trigger' },
	rough: { id: 'GreenApiE2eRough', name: 'GREEN-API e2e rough' },
	unlinked: { id: 'GreenApiE2eUnlnk', name: 'GREEN-API e2e unlinked' },
	wrongToken: { id: 'GreenApiE2eWrong', name: 'GREEN-API e2e wrong token' },
	demo: { id: 'GreenApiDemoCred', name: 'GREEN-API sandbox (demo)' },
};

type Json = Record<string, any>;

export interface Harness {
	version: string;
	n8n: any;
	handle: any;
	client: any;
	sandbox: any;
	home: string;
	tgz: string;
	/** raw execution JSON fetched during the run, searched for tokens at the end */
	seenExecutionText: string[];
	/** Runs a workflow by hand from its manual trigger, or from `triggerName` ("Fetch Test Event" of a trigger). */
	run(workflowId: string, triggerName?: string): Promise<Execution>;
	execution(id: string): Promise<Execution>;
	executionsOf(workflowId: string): Promise<Json[]>;
	activate(workflowId: string): Promise<void>;
	deactivate(workflowId: string): Promise<void>;
	stop(): Promise<void>;
}

export interface Execution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	data: Json;
	raw: string;
	/** output items (json) of a node's first run */
	items(node: string): Json[];
	binaries(node: string): Json[];
	error(): Json | undefined;
}

export function credentialsFor(sandboxUrl: string) {
	const c = (ref: { id: string; name: string }, inst: { idInstance: string; apiTokenInstance: string }, token = inst.apiTokenInstance) => ({
		...ref,
		type: 'greenApi',
		data: { apiUrl: sandboxUrl, idInstance: inst.idInstance, apiTokenInstance: token },
	});
	return [
		c(CRED.main, INSTANCES.main),
		c(CRED.trigger, INSTANCES.trigger),
		c(CRED.rough, INSTANCES.rough),
		c(CRED.unlinked, INSTANCES.unlinked),
		c(CRED.wrongToken, INSTANCES.main, WRONG_TOKEN),
		c(CRED.demo, INSTANCES.main),
	];
}

/** A workflow: manual trigger -> one GREEN-API node. */
export function opWorkflow(id: string, cred: { id: string; name: string }, parameters: Json, extraNodeProps: Json = {}): Json {
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: MANUAL_TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-g`,
				name: 'GREEN-API',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'instance', options: {}, ...parameters },
				credentials: { greenApi: cred },
				...extraNodeProps,
			},
		],
		connections: { [MANUAL_TRIGGER]: { main: [[{ node: 'GREEN-API', type: 'main', index: 0 }]] } },
		pinData: {},
	};
}

export function triggerWorkflow(id: string, cred: { id: string; name: string }, parameters: Json = {}): Json {
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${id}-t`,
				name: 'GREEN-API Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, states: [], options: {}, ...parameters },
				credentials: { greenApi: cred },
			},
			{ id: `${id}-n`, name: 'State changed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
		],
		connections: { 'GREEN-API Trigger': { main: [[{ node: 'State changed', type: 'main', index: 0 }]] } },
		pinData: {},
	};
}

export function demoWorkflows(): Json[] {
	const dir = path.join(env.ROOT, 'scripts', 'demo');
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.workflow.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

let packed: Promise<string> | undefined;
/** `npm pack` once per jest process (dist/ must be built: `npm run test:e2e` builds first). */
export function packOnce(): Promise<string> {
	if (!fs.existsSync(path.join(env.ROOT, 'dist', 'nodes', 'GreenApi', 'GreenApi.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first (`npm run test:e2e` does)');
	}
	// env is untyped (a JavaScript module): say what packPackage gives, or `packed` stays possibly undefined.
	const pack: () => Promise<string> = env.packPackage;
	packed ??= pack();
	return packed;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/**
 * Installs (once, cached) and starts n8n `version` with the package, the sandbox, the
 * credentials and the given workflows. On any failure it stops what it had started.
 */
export async function startHarness(version: string, workflows: Json[]): Promise<Harness> {
	const n8n = await env.ensureN8n(version, { log });
	const tgz = await packOnce();
	const sandbox = await startSandbox({ port: 0, instances: Object.values(INSTANCES).map((i) => ({ ...i })) });
	let handle: any;
	const home: string = env.createN8nHome(`green-api-e2e-${version}-`);
	try {
		await env.installPackage(home, tgz, { log });
		await env.importCredentials(n8n, home, credentialsFor(sandbox.url), { log });
		await env.importWorkflows(n8n, home, workflows, { log });
		// Debug is n8n's most talkative level: a token that reached any log line would show there.
		handle = await env.startN8n(n8n, home, { log, env: { N8N_LOG_LEVEL: 'debug' } });
		const client = new env.N8nClient(handle.url);
		await client.login();
		const flatted = createRequire(path.join(n8n.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
		const seenExecutionText: string[] = [];

		const toExecution = (e: Json): Execution => {
			const raw = typeof e.data === 'string' ? e.data : JSON.stringify(e.data ?? {});
			seenExecutionText.push(raw);
			const data = typeof e.data === 'string' ? flatted.parse(e.data) : e.data;
			const runOf = (node: string) => data?.resultData?.runData?.[node]?.[0];
			return {
				id: String(e.id),
				status: e.status,
				finished: e.finished,
				mode: e.mode,
				data,
				raw,
				items: (node) => (runOf(node)?.data?.main?.[0] ?? []).map((i: Json) => i.json),
				binaries: (node) => (runOf(node)?.data?.main?.[0] ?? []).map((i: Json) => i.binary),
				error: () => data?.resultData?.error,
			};
		};

		const execution = async (id: string): Promise<Execution> => toExecution(await client.request('GET', `/rest/executions/${id}`));

		const h: Harness = {
			version,
			n8n,
			handle,
			client,
			sandbox,
			home,
			tgz,
			seenExecutionText,
			execution,
			async run(workflowId, triggerName) {
				const workflowData = await client.getWorkflow(workflowId);
				const trigger = workflowData.nodes.find((n: Json) => (triggerName ? n.name === triggerName : /manualTrigger$/.test(n.type)));
				if (!trigger) throw new Error(`run ${workflowId}: no ${triggerName ?? 'manual trigger'} node`);
				// 2.x reads the workflow from the database; 1.x wants it in the body. Both accept this.
				const res = await client.request('POST', `/rest/workflows/${workflowId}/run`, {
					workflowData,
					triggerToStartFrom: { name: trigger.name },
				});
				if (!res?.executionId) throw new Error(`run ${workflowId}: no executionId in ${JSON.stringify(res)}`);
				const deadline = Date.now() + 120e3;
				for (;;) {
					const e = await client.request('GET', `/rest/executions/${res.executionId}`);
					if (e && e.status && !['new', 'running', 'waiting'].includes(e.status) && e.stoppedAt) return toExecution(e);
					if (Date.now() > deadline) throw new Error(`execution ${res.executionId} still ${e?.status} after 120 s`);
					await env.sleep(300);
				}
			},
			async executionsOf(workflowId) {
				const res = await client.request('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
				return res.results ?? res;
			},
			async activate(workflowId) {
				const wf = await client.getWorkflow(workflowId);
				await client.request('POST', `/rest/workflows/${workflowId}/activate`, { versionId: wf.versionId });
			},
			async deactivate(workflowId) {
				await client.request('POST', `/rest/workflows/${workflowId}/deactivate`, {});
			},
			async stop() {
				try {
					await stopAll(handle, sandbox);
				} finally {
					// keep n8n's log for a look after a failure; drop the temp user folder and tarball
					const logs = path.join(env.CACHE_DIR, 'e2e-logs');
					fs.mkdirSync(logs, { recursive: true });
					for (const f of ['n8n.log', 'n8n-cli.log', 'package-install.log']) {
						if (fs.existsSync(path.join(home, f))) fs.copyFileSync(path.join(home, f), path.join(logs, `${version}-${f}`));
					}
					if (!process.env.E2E_KEEP_HOME) fs.rmSync(home, { recursive: true, force: true });
				}
			},
		};
		return h;
	} catch (err) {
		await stopAll(handle, sandbox).catch((stopErr) => process.stderr.write(`also failed to stop: ${stopErr}\n`));
		throw err;
	}
}

async function stopAll(handle: any, sandbox: any) {
	const errors: unknown[] = [];
	if (handle) {
		try {
			// stop() throws when a process of n8n's group (n8n itself, its task runner) is left
			await handle.stop();
		} catch (err) {
			errors.push(err);
		}
	}
	if (sandbox) {
		try {
			await sandbox.close();
		} catch (err) {
			errors.push(err);
		}
	}
	if (errors.length) throw errors[0];
}

/** Waits until fn() returns a truthy value (polling), or throws after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 1000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
		await env.sleep(everyMs);
	}
}

/** Requests the sandbox saw for one instance and method. */
export function sandboxCount(sandbox: any, idInstance: string, method?: string): number {
	const s = sandbox.stats();
	if (!method) return s.byInstance?.[idInstance]?.requests ?? 0;
	// byMethod is over all instances; the trigger instance is only polled by the trigger.
	return s.byMethod?.[method]?.requests ?? 0;
}
