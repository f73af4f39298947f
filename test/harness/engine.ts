/**
 * Runs our node types inside n8n-core's real engine, over real HTTP.
 *
 * - runNode: a real Workflow (a pass-through "Start" node feeding our node) executed by
 *   `WorkflowExecute.processRunExecutionData` in 'manual' mode. A declarative node (no
 *   `execute`) goes through n8n's RoutingNode, as in the editor.
 * - runPoll: 'manual' = the editor's "Fetch Test Event" (WorkflowExecute runs the poll node;
 *   n8n-core builds `PollContext(..., 'manual', 'manual')`); 'trigger' = an active workflow
 *   (n8n-core's PollTriggerExecutor with a PollContext built like the CLI's
 *   getExecutePollFunctions: `__emit` / `__emitError` captured).
 * - Credentials go through HarnessCredentialsHelper (a mirror of n8n's CLI CredentialsHelper).
 * - Every log line n8n produces lands in `logs`.
 */
import './env'; // first: N8N_USER_FOLDER must point at a temp folder before n8n-core runs
import { installLogCapture } from './logs';

import {
	DirectoryLoader,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	PollContext,
	PollTriggerExecutor,
	WorkflowExecute,
} from 'n8n-core';
import { Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { randomUUID } from 'node:crypto';

import { Container } from './core-deps';
import { HarnessCredentialsHelper } from './credentials-helper';

export { logs } from './logs';
export type { CapturedLogs } from './logs';
export { findSecret } from './find-secret';
export { HarnessCredentialsHelper } from './credentials-helper';
export { startServer } from './server';
export type { Handler, RecordedRequest, Reply, TestServer } from './server';

installLogCapture();

/** Community packages' node types are named `<package name>.<node name>` by n8n. */
export const PACKAGE_NAME = 'n8n-nodes-green-api';
const START_TYPE = 'n8n-nodes-base.harnessStart';
const START_NAME = 'Start';
const AGAIN_TYPE = 'n8n-nodes-base.harnessAgain';
const AGAIN_NAME = 'Again';

export type AnyNodeType = INodeType | IVersionedNodeType;

export interface NodeRunOptions {
	/** An instance, e.g. `new GreenApi()`. */
	nodeType: AnyNodeType;
	/** e.g. `{ greenApi: new GreenApiCredentials() }`. */
	credentialTypes: Record<string, ICredentialType>;
	/** Decrypted data per credential type name; each one is also attached to the node. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	parameters: INodeParameters;
	/** Input items; default `[{ json: {} }]`. */
	items?: INodeExecutionData[];
	/** Sets `onError: 'continueRegularOutput'` (what the editor's "Continue" writes). */
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	/** The node's Settings tab: n8n's Retry On Fail. */
	settings?: Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>;
	/** Default: the node type's newest version. */
	typeVersion?: number;
	/**
	 * How many times the node runs in the one execution (default 1): after each run but the
	 * last, an "Again" node feeds the node's output back into it, as a workflow that loops back
	 * to the node does. `items` and `outputs` are those of the last run.
	 */
	runs?: number;
}

export interface NodeRunResult {
	/** Main output 0 of our node (empty array if it failed). */
	items: INodeExecutionData[];
	/** All main outputs of our node (output 1 is the error output with continueErrorOutput). */
	outputs: INodeExecutionData[][];
	/**
	 * The error n8n recorded for the node (or, failing that, for the run): WorkflowExecute's
	 * copy `{ ...error, message, stack }` (own enumerable fields; not an Error instance).
	 */
	error?: ExecutionError;
	/**
	 * The full run with live objects: continueOnFail items carry the live NodeApiError, whose
	 * non-enumerable `cause` is the raw AxiosError. `JSON.stringify(run)` is what n8n stores
	 * and sends to the editor.
	 */
	run: IRun;
	/** The node as it ran (name, type, parameters after n8n applied defaults). */
	node: INode;
}

export interface PollRunOptions {
	nodeType: AnyNodeType;
	credentialTypes: Record<string, ICredentialType>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	parameters: INodeParameters;
	/** manual = "Fetch Test Event" in the editor; trigger = an active workflow. */
	mode: 'manual' | 'trigger';
	/** The workflow's static data as n8n stored it (JSON), e.g. a previous run's `staticData`. */
	staticData?: IDataObject;
	/**
	 * trigger mode only: true = the poll n8n runs when the workflow is activated (or n8n
	 * restarts): an error is thrown and activation fails. false (default) = a scheduled poll:
	 * an error goes to `__emitError` (n8n stores an error execution, the workflow stays active).
	 */
	activation?: boolean;
	/** What `this.getActivationMode()` returns in trigger mode; default 'activate' ('init' after a restart). */
	activationMode?: WorkflowActivateMode;
	typeVersion?: number;
}

export interface PollRunResult {
	/** What the poll produced (what n8n would emit / show); null = nothing new. */
	result: INodeExecutionData[][] | null;
	/**
	 * manual: the error n8n recorded in the run (a plain copy: message, stack, description, ...).
	 * trigger: the error instance n8n's poll executor got (thrown on activation, else emitted).
	 */
	error?: Error;
	/** JSON round-trip of workflow.staticData after the poll: what n8n would persist. */
	staticData: IDataObject;
	/** workflow.staticData.__dataChanged after the poll (n8n saves only when this is true). */
	staticDataChanged: boolean;
	/**
	 * Whether n8n would save static data now: trigger mode, changed, and the poll emitted or
	 * was the (successful) activation poll. Manual runs never save static data. A changed but
	 * unsaved static data is lost if n8n restarts before the next save.
	 */
	persisted: boolean;
	/** manual mode only: the full run. */
	run?: IRun;
}

let executionCounter = 0;

/** The version n8n would use when the editor adds the node. */
function defaultVersion(nodeType: AnyNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.description.defaultVersion ?? nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/**
 * A node type as n8n's loader serves it: a copy whose description got the loader's special
 * parameters (`pollTimes` for polling nodes, `requestOptions` for declarative nodes).
 */
function asLoaded(nodeType: INodeType): INodeType {
	const description = { ...nodeType.description, properties: [...nodeType.description.properties] };
	const loaded = Object.create(nodeType, {
		description: { value: description, enumerable: true, writable: true, configurable: true },
	}) as INodeType;
	const applySpecial = (DirectoryLoader.prototype as unknown as { applySpecialNodeParameters?: (t: INodeType) => void })
		.applySpecialNodeParameters;
	if (typeof applySpecial !== 'function') throw new Error('n8n-core DirectoryLoader.applySpecialNodeParameters not found');
	applySpecial.call(undefined, loaded);
	return loaded;
}

const startNodeType: INodeType = {
	description: {
		displayName: 'Start',
		name: 'harnessStart',
		group: ['trigger'],
		version: 1,
		description: 'Passes the harness input items on',
		defaults: { name: START_NAME },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

/** Output 0 goes back to the node under test until it ran `runs` times; then output 1 (unconnected). */
const againNodeType: INodeType = {
	description: {
		displayName: 'Again',
		name: 'harnessAgain',
		group: ['transform'],
		version: 1,
		description: 'Feeds the node under test its own output until it ran the given number of times',
		defaults: { name: AGAIN_NAME },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [{ displayName: 'Runs', name: 'runs', type: 'number', default: 1 }],
	},
	async execute() {
		// The node's context lives as long as the execution: it counts the passes.
		const context = this.getContext('node');
		context.passes = Number(context.passes ?? 0) + 1;
		const input = this.getInputData();
		return Number(context.passes) < Number(this.getNodeParameter('runs', 0)) ? [input, []] : [[], input];
	},
};

class HarnessNodeTypes implements INodeTypes {
	private readonly types = new Map<string, AnyNodeType>();
	private readonly loaded = new Map<string, INodeType>();

	add(type: string, nodeType: AnyNodeType): void {
		this.types.set(type, nodeType);
	}

	getByName(type: string): AnyNodeType {
		const nodeType = this.types.get(type);
		if (!nodeType) throw new Error(`Unknown node type "${type}"`);
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		const key = `${type}@${version ?? ''}`;
		let loaded = this.loaded.get(key);
		if (!loaded) {
			const nodeType = this.getByName(type);
			loaded = asLoaded('nodeVersions' in nodeType ? nodeType.getNodeType(version) : nodeType);
			this.loaded.set(key, loaded);
		}
		return loaded;
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries([...this.types.keys()].map((type) => [type, { className: type, sourcePath: '' }]));
	}
}

interface Setup {
	workflow: Workflow;
	node: INode;
	additionalData: IWorkflowExecuteAdditionalData;
	hooks: ExecutionLifecycleHooks;
	executionId: string;
}

function buildSetup(
	o: {
		nodeType: AnyNodeType;
		credentialTypes: Record<string, ICredentialType>;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
		parameters: INodeParameters;
		typeVersion?: number;
		staticData?: IDataObject;
		onError?: INode['onError'];
		runs?: number;
		settings?: NodeRunOptions['settings'];
	},
	mode: WorkflowExecuteMode,
	withStart: boolean,
	active: boolean,
): Setup {
	const executionId = String(++executionCounter);
	const nodeTypes = new HarnessNodeTypes();
	const type = `${PACKAGE_NAME}.${o.nodeType.description.name}`;
	nodeTypes.add(type, o.nodeType);
	nodeTypes.add(START_TYPE, startNodeType);
	nodeTypes.add(AGAIN_TYPE, againNodeType);

	const credentials: INodeCredentials = {};
	for (const name of Object.keys(o.credentials ?? {})) credentials[name] = { id: `cred-${name}`, name: `${name} account` };

	const typeVersion = o.typeVersion ?? defaultVersion(o.nodeType);
	const concrete = 'nodeVersions' in o.nodeType ? o.nodeType.getNodeType(typeVersion) : o.nodeType;
	const node: INode = {
		id: randomUUID(),
		name: concrete.description.defaults?.name ?? concrete.description.displayName,
		type,
		typeVersion,
		position: [200, 0],
		parameters: structuredClone(o.parameters),
		...(Object.keys(credentials).length ? { credentials } : {}),
		...(o.onError ? { onError: o.onError } : {}),
		...o.settings,
	};
	const nodes: INode[] = [node];
	const connections: IWorkflowBase['connections'] = {};
	if (withStart) {
		nodes.unshift({ id: randomUUID(), name: START_NAME, type: START_TYPE, typeVersion: 1, position: [0, 0], parameters: {} });
		connections[START_NAME] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	}
	if ((o.runs ?? 1) > 1) {
		nodes.push({ id: randomUUID(), name: AGAIN_NAME, type: AGAIN_TYPE, typeVersion: 1, position: [400, 0], parameters: { runs: o.runs } });
		connections[node.name] = { main: [[{ node: AGAIN_NAME, type: 'main', index: 0 }]] };
		connections[AGAIN_NAME] = { main: [[{ node: node.name, type: 'main', index: 0 }], []] };
	}

	const workflowId = 'harness-workflow';
	const settings = { executionOrder: 'v1' as const };
	// The Workflow constructor applies parameter defaults to node.parameters, like n8n does on load.
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness workflow',
		nodes,
		connections,
		active,
		nodeTypes,
		staticData: o.staticData ? structuredClone(o.staticData) : undefined,
		settings,
	});
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Harness workflow',
		active,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const notInHarness = (what: string) => async (): Promise<never> => {
		throw new Error(`${what} is not available in the test harness`);
	};
	const base = 'http://localhost:5678';
	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper: new HarnessCredentialsHelper(o.credentialTypes, o.credentials),
		hooks,
		executionId,
		workflowId,
		userId: 'harness-user',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executeWorkflow: notInHarness('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: notInHarness('startRunnerTask'),
		logAiEvent: () => {},
	};
	return { workflow, node: workflow.getNode(node.name)!, additionalData, hooks, executionId };
}

/** The outputs of the node's last run. */
function outputsOf(run: IRun, nodeName: string): INodeExecutionData[][] | null {
	const main = run.data.resultData.runData[nodeName]?.at(-1)?.data?.main;
	return main ? main.map((output) => output ?? []) : null;
}

/** Run our node once, in manual mode, with `items` as its input. */
export async function runNode(o: NodeRunOptions): Promise<NodeRunResult> {
	const onError = o.onError ?? (o.continueOnFail ? 'continueRegularOutput' : undefined);
	const mode: WorkflowExecuteMode = 'manual';
	const { workflow, node, additionalData } = buildSetup({ ...o, onError }, mode, true, false);
	const start = workflow.getNode(START_NAME)!;
	const items = structuredClone(o.items ?? [{ json: {} }]);

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [items] }, source: null }],
		},
	});
	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);

	const outputs = outputsOf(run, node.name) ?? [];
	const error = run.data.resultData.runData[node.name]?.at(-1)?.error ?? run.data.resultData.error;
	return { items: outputs[0] ?? [], outputs, error, run, node };
}

function snapshotStaticData(workflow: Workflow): IDataObject {
	return JSON.parse(JSON.stringify(workflow.staticData ?? {})) as IDataObject;
}

/** Run one poll of a polling trigger, the way n8n does in the given mode. */
export async function runPoll(o: PollRunOptions): Promise<PollRunResult> {
	if (o.mode === 'manual') {
		const mode: WorkflowExecuteMode = 'manual';
		const { workflow, node, additionalData } = buildSetup(o, mode, false, false);
		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node, data: { main: [[{ json: {} }]] }, source: null }],
			},
		});
		const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
		const error = (run.data.resultData.runData[node.name]?.[0]?.error ?? run.data.resultData.error) as Error | undefined;
		return {
			result: error ? null : outputsOf(run, node.name),
			error,
			staticData: snapshotStaticData(workflow),
			staticDataChanged: workflow.staticData.__dataChanged === true,
			persisted: false,
			run,
		};
	}

	const mode: WorkflowExecuteMode = 'trigger';
	const { workflow, node, additionalData } = buildSetup(o, mode, false, true);
	let emitted: INodeExecutionData[][] | null = null;
	let error: Error | undefined;
	const pollFunctions = new PollContext(
		workflow,
		node,
		additionalData,
		mode,
		o.activationMode ?? 'activate',
		(data) => {
			emitted = data;
		},
		(e) => {
			error = e;
		},
	);
	const executePoll = Container.get(PollTriggerExecutor).create(workflow, node, pollFunctions, () => true);
	try {
		await executePoll(o.activation === true);
	} catch (e) {
		error = e instanceof Error ? e : new Error(String(e));
	}
	const staticDataChanged = workflow.staticData.__dataChanged === true;
	return {
		result: emitted,
		error,
		staticData: snapshotStaticData(workflow),
		staticDataChanged,
		persisted: staticDataChanged && !error && (emitted !== null || o.activation === true),
	};
}
