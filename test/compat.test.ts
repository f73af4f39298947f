/**
 * Saved workflows keep working: node version 1 of each node type only ever grows.
 *
 * test/compat.contract.json records what a workflow saved with version 1 relies on: the node
 * and credential type names, each operation value, the parameters a saved node of that
 * operation has (name, type, default, option values, collection options), and the top-level
 * output fields of each operation and trigger event, found by running them through n8n's engine
 * against the sandbox. This test fails when anything in the contract changed or disappeared;
 * additions pass. A change that breaks the contract needs a new node version
 * (docs/RELEASE.md, "Versioning"), never an edit of the contract.
 *
 * `GREEN_API_COMPAT_UPDATE=1 npx jest test/compat.test.ts` adds what is new to the contract
 * (and still fails on what was lost): run it when releasing, so that new things are protected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeHelpers } from 'n8n-workflow';
import type {
	ICredentialType,
	IDataObject,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IVersionedNodeType,
} from 'n8n-workflow';

import { credentialTypes, credentialsFor, greenApiNode, greenApiTrigger, items, makeToken, pollTrigger, runGreenApi, startSandbox } from './fixtures';
import { loadFixtures } from './harness/operations';
import type { InstanceDef, Sandbox } from './fixtures';

const CONTRACT_FILE = path.join(__dirname, 'compat.contract.json');
const VERSION = 1;

// ---- what version 1 offers, read from the node descriptions -------------------------------

interface ParameterContract {
	type: string;
	default: unknown;
	/** Option values of an options / multiOptions parameter. */
	values?: string[];
	/** Options of a collection, fixedCollection values by collection name. */
	options?: Record<string, ParameterContract>;
}
type Parameters = Record<string, ParameterContract>;
interface Outputs {
	json: string[];
	binary: string[];
}

/** The description of `version`, for a plain node type and for a VersionedNodeType alike. */
function descriptionOf(nodeType: INodeType | IVersionedNodeType, version: number): INodeTypeDescription | undefined {
	if ('nodeVersions' in nodeType) return nodeType.nodeVersions[version]?.description;
	const versions = ([] as number[]).concat(nodeType.description.version);
	return versions.includes(version) ? nodeType.description : undefined;
}

function describeParameter(property: INodeProperties): ParameterContract {
	const contract: ParameterContract = { type: property.type, default: property.default };
	const options = property.options ?? [];
	if (property.type === 'options' || property.type === 'multiOptions') {
		contract.values = options.map((o) => String((o as { value: unknown }).value)).sort();
	} else if (property.type === 'collection') {
		contract.options = Object.fromEntries(
			(options as INodeProperties[]).map((o) => [o.name, describeParameter(o)]),
		);
	} else if (property.type === 'fixedCollection') {
		contract.options = Object.fromEntries(
			(options as Array<{ name: string; values: INodeProperties[] }>).map((group) => [
				group.name,
				{
					type: 'fixedCollectionValues',
					default: null,
					options: Object.fromEntries(group.values.map((v) => [v.name, describeParameter(v)])),
				},
			]),
		);
	}
	return contract;
}

/**
 * The parameters a saved node with these values has: the ones n8n displays, and so keeps, for
 * them (NodeHelpers.getNodeParameters is what the editor and the engine use).
 */
function displayedParameters(description: INodeTypeDescription, values: INodeParameters): Parameters {
	const node = { typeVersion: VERSION };
	const kept = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	const withDefaults = { ...kept, ...values };
	const result: Parameters = {};
	for (const name of Object.keys(kept).sort()) {
		const property = description.properties.find(
			(p) => p.name === name && NodeHelpers.displayParameter(withDefaults, p, node, description),
		);
		if (property) result[name] = describeParameter(property);
	}
	return result;
}

/** `resource/operation` -> parameters, for every operation of every resource. */
function operationsOf(description: INodeTypeDescription): Record<string, Parameters> {
	const resources = displayedParameters(description, {}).resource?.values ?? [''];
	const result: Record<string, Parameters> = {};
	for (const resource of resources) {
		const operations = displayedParameters(description, { resource }).operation?.values ?? [];
		for (const operation of operations) {
			result[`${resource}/${operation}`] = displayedParameters(description, { resource, operation });
		}
	}
	return result;
}

function credentialContract(type: ICredentialType): Parameters {
	return Object.fromEntries(type.properties.map((p) => [p.name, describeParameter(p)]));
}

// ---- what version 1 outputs, run through n8n's engine against the sandbox --------------------

/** The 0.1.0 format of the trigger's static data: active workflows have it stored. */
const WATCH_KEY = 'node:GREEN-API Trigger';
function storedWatch(idInstance: string, state: string, since: string): IDataObject {
	return { [WATCH_KEY]: { idInstance, state, since, sinceKnown: true, stuckReported: false } };
}

let nextId = 1109000000;
const instances: InstanceDef[] = [];
function instance(stateInstance = 'authorized'): InstanceDef {
	const def: InstanceDef = {
		idInstance: String(++nextId),
		apiTokenInstance: makeToken(`c0${nextId}`),
		stateInstance,
		knownNumbers: ['79001234567'],
	};
	instances.push(def);
	return def;
}

interface NodeScenario {
	operation: string;
	parameters?: INodeParameters;
	input?: IDataObject;
	instance: InstanceDef;
}
/**
 * One scenario per output shape of each operation: the fixture cases marked `contract: true`
 * (test/operations), each on its own instance (no pacing waits, no state shared), one input item.
 */
const NODE_SCENARIOS: Record<string, NodeScenario> = Object.fromEntries(
	loadFixtures().flatMap((fixture) =>
		fixture.cases
			.filter((c) => c.contract)
			.map((c) => {
				const def = instance(c.instance?.stateInstance ?? 'authorized');
				Object.assign(def, c.instance);
				return [c.title, { operation: fixture.operation, parameters: c.parameters, input: c.input?.[0], instance: def }];
			}),
	),
);

const trigger = { currentState: instance('starting'), initialState: instance(), stateChanged: instance('blocked'), stuck: instance('starting') };

let sandbox: Sandbox;

/** Runs that failed: their fields then show as gone, and this says why. */
const failedRuns: string[] = [];

async function nodeOutputs(): Promise<Record<string, Record<string, Outputs>>> {
	const byOperation: Record<string, Record<string, Outputs>> = {};
	for (const [name, scenario] of Object.entries(NODE_SCENARIOS)) {
		try {
			const result = await runGreenApi(
				credentialsFor(sandbox, scenario.instance),
				{ operation: scenario.operation, ...scenario.parameters },
				{ typeVersion: VERSION, items: items(scenario.input ?? {}) }, // a saved node keeps its version when newer ones appear
			);
			if (result.error) throw result.error;
			if (result.items.length !== 1) throw new Error(`${result.items.length} items for one input item`);
			const [item] = result.items;
			const key = `instance/${scenario.operation}`;
			byOperation[key] = {
				...byOperation[key],
				// The input item's own fields come through per-number operations: not the operation's output.
				[name]: { json: Object.keys(item.json).filter((key) => !(key in (scenario.input ?? {}))).sort(), binary: Object.keys(item.binary ?? {}).sort() },
			};
		} catch (error) {
			failedRuns.push(`operation scenario "${name}" failed: ${(error as Error).message}`);
		}
	}
	return byOperation;
}

async function triggerEvents(): Promise<Record<string, string[]>> {
	const creds = (def: InstanceDef) => credentialsFor(sandbox, def);
	const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
	const polls = {
		currentState: () => pollTrigger(creds(trigger.currentState), {}, { mode: 'manual', typeVersion: VERSION }),
		initialState: () =>
			pollTrigger(creds(trigger.initialState), { options: { emitInitialState: true } }, { mode: 'trigger', activation: true, typeVersion: VERSION }),
		// A watch stored by 0.1.0 that saw "authorized"; the instance is blocked now.
		stateChanged: () =>
			pollTrigger(creds(trigger.stateChanged), {}, {
				mode: 'trigger',
				typeVersion: VERSION,
				staticData: storedWatch(trigger.stateChanged.idInstance, 'authorized', tenMinutesAgo),
			}),
		// A watch stored by 0.1.0: starting for ten minutes.
		stuck: () =>
			pollTrigger(creds(trigger.stuck), { options: { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }] } } }, {
				mode: 'trigger',
				typeVersion: VERSION,
				staticData: storedWatch(trigger.stuck.idInstance, 'starting', tenMinutesAgo),
			}),
	};
	const events: Record<string, string[]> = {};
	for (const [name, run] of Object.entries(polls)) {
		try {
			const poll = await run();
			if (poll.error) throw poll.error;
			const json = poll.result?.[0]?.[0]?.json;
			if (json?.event !== name) throw new Error(`expected event "${name}", got ${JSON.stringify(json ?? null)}`);
			events[name] = Object.keys(json).sort();
		} catch (error) {
			failedRuns.push(`trigger event "${name}" failed: ${(error as Error).message}`);
		}
	}
	return events;
}

// ---- comparing -----------------------------------------------------------------------------

/**
 * What the contract has and `current` lacks, as readable paths. Lists are sets (each contract
 * entry must still be there); `default` must be equal; other values recursively.
 */
function missing(contract: unknown, current: unknown, at: string[] = []): string[] {
	const where = at.join(' > ') || '(root)';
	const key = at[at.length - 1];
	if (key === 'default' || contract === null || typeof contract !== 'object') {
		return JSON.stringify(contract) === JSON.stringify(current)
			? []
			: [`${where}: was ${JSON.stringify(contract)}, now ${JSON.stringify(current)}`];
	}
	if (Array.isArray(contract)) {
		const now = Array.isArray(current) ? current : [];
		return contract.filter((v) => !now.includes(v)).map((v) => `${where}: ${JSON.stringify(v)} is gone`);
	}
	const now = (current ?? {}) as Record<string, unknown>;
	return Object.entries(contract)
		.filter(([k]) => !k.startsWith('$')) // "$comment"
		.flatMap(([k, v]) => (k in now ? missing(v, now[k], [...at, k]) : [`${[...at, k].join(' > ')}: is gone`]));
}

/** The contract plus whatever `current` added; what the contract has always wins. */
function merged(contract: unknown, current: unknown, key?: string): unknown {
	if (contract === undefined) return current;
	if (key === 'default' || contract === null || typeof contract !== 'object') return contract;
	if (Array.isArray(contract)) return [...new Set([...contract, ...(Array.isArray(current) ? current : [])])].sort();
	const now = (current ?? {}) as Record<string, unknown>;
	const result: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(contract)) result[k] = merged(v, now[k], k);
	for (const [k, v] of Object.entries(now)) if (!(k in result)) result[k] = v;
	return result;
}

/** `value` without the branches under any of `keys`. */
function without(value: unknown, keys: string[]): unknown {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([k]) => !keys.includes(k))
			.map(([k, v]) => [k, without(v, keys)]),
	);
}

/** Only the branches of `value` under one of `keys` (with the path to them). */
function only(value: unknown, keys: string[]): unknown {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
	const kept = Object.entries(value).flatMap(([k, v]) => {
		if (keys.includes(k)) return [[k, v]];
		const inner = only(v, keys);
		return inner === undefined ? [] : [[k, inner]];
	});
	return kept.length ? Object.fromEntries(kept) : undefined;
}

// ---- the test ------------------------------------------------------------------------------

const OUTPUT_KEYS = ['outputs', 'events'];
const contract = JSON.parse(fs.readFileSync(CONTRACT_FILE, 'utf8')) as IDataObject;

function descriptionsNow() {
	const node = descriptionOf(greenApiNode, VERSION);
	const triggerNode = descriptionOf(greenApiTrigger, VERSION);
	return {
		credentials: { [credentialTypes.greenApi.name]: credentialContract(credentialTypes.greenApi) },
		nodes: {
			...(node && {
				[node.name]: {
					[VERSION]: {
						credentials: (node.credentials ?? []).map((c) => c.name),
						operations: Object.fromEntries(
							Object.entries(operationsOf(node)).map(([op, parameters]) => [op, { parameters }]),
						),
					},
				},
			}),
			...(triggerNode && {
				[triggerNode.name]: {
					[VERSION]: {
						credentials: (triggerNode.credentials ?? []).map((c) => c.name),
						parameters: displayedParameters(triggerNode, {}),
					},
				},
			}),
		},
	};
}

async function outputsNow() {
	const outputs = await nodeOutputs();
	return {
		nodes: {
			[greenApiNode.description.name]: {
				[VERSION]: {
					operations: Object.fromEntries(Object.entries(outputs).map(([op, byScenario]) => [op, { outputs: byScenario }])),
				},
			},
			[greenApiTrigger.description.name]: { [VERSION]: { events: await triggerEvents() } },
		},
	};
}

beforeAll(async () => {
	sandbox = await startSandbox({ instances });
});
afterAll(async () => await sandbox.close());

describe(`node version ${VERSION} keeps what saved workflows rely on`, () => {
	it('node and credential types, operation values, parameter names, option values and defaults', () => {
		expect(missing(without(contract, OUTPUT_KEYS), descriptionsNow())).toEqual([]);
	});

	it('the output fields of every operation and trigger event (run through the engine)', async () => {
		const outputs = await outputsNow();
		if (process.env.GREEN_API_COMPAT_UPDATE) {
			const current = merged(descriptionsNow(), outputs);
			fs.writeFileSync(CONTRACT_FILE, JSON.stringify(merged(contract, current), null, '\t') + '\n');
		}
		expect([...missing(only(contract, OUTPUT_KEYS), outputs), ...failedRuns]).toEqual([]);
	});
});
