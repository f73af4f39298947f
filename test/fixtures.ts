import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { GreenApi as GreenApiCredential } from '../credentials/GreenApi.credentials';
import { GreenApi } from '../nodes/GreenApi/GreenApi.node';
import { GreenApiTrigger } from '../nodes/GreenApiTrigger/GreenApiTrigger.node';
import { runNode, runPoll } from './harness/engine';
import type { NodeRunOptions, NodeRunResult, PollRunOptions, PollRunResult } from './harness/engine';

/** The sandbox is plain JavaScript shared with the demo; this is the part tests use. */
export interface Fault {
	idInstance?: string;
	method?: string;
	count?: number;
	kind: 'status' | 'html' | 'empty' | 'null' | 'delay' | 'drop';
	status?: number;
	body?: unknown;
	delayMs?: number;
}
export interface SandboxStats {
	total: number;
	byStatus: Record<string, number>;
	byMethod: Record<string, { requests: number; ok: number; rateLimited: number; faults: number; byStatus: Record<string, number> }>;
	maxConcurrent: number;
	arrivals: Record<string, number[]>;
}
export interface InstanceDef {
	idInstance: string;
	apiTokenInstance: string;
	stateInstance?: string | null;
	checkWhatsappQuota?: number;
	phone?: string;
	knownNumbers?: string[];
	unbanStatus?: string;
}
export interface Sandbox {
	url: string;
	port: number;
	close(): Promise<void>;
	addInstance(def: InstanceDef): void;
	setState(id: string, state: string | null): void;
	scriptStates(id: string, states: Array<string | null>): void;
	injectFault(fault: Fault): void;
	setLatency(ms: number, jitterMs?: number): void;
	setRateLimit(method: string, perSecond: number | null): void;
	stats(): SandboxStats;
	resetStats(): void;
	reset(): void;
}
export interface SandboxOptions {
	latencyMs?: number;
	latencyJitterMs?: number;
	rateLimits?: Record<string, number | null>;
	retryAfter?: number | false;
	errorStyle?: 'json' | 'text';
	rebootMs?: number;
	instances?: InstanceDef[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sandboxModule = require('../sandbox/server') as { startSandbox(options: SandboxOptions): Promise<Sandbox> };
export const startSandbox = sandboxModule.startSandbox;

/** 50 hex characters, like a real apiTokenInstance; distinctive so a leak is easy to find. */
export function makeToken(seed: string): string {
	return (seed.replace(/[^0-9a-f]/g, '') + 'f00dfeedc0ffee1234567890abcdef0123456789abcdef0123456789').slice(0, 50);
}

export const credentialTypes = { greenApi: new GreenApiCredential() };
export const greenApiNode = new GreenApi();
export const greenApiTrigger = new GreenApiTrigger();

export function credentialsFor(sandbox: Sandbox, instance: InstanceDef): Record<string, ICredentialDataDecryptedObject> {
	return {
		greenApi: { apiUrl: sandbox.url, idInstance: instance.idInstance, apiTokenInstance: instance.apiTokenInstance },
	};
}

export function items(...json: IDataObject[]): INodeExecutionData[] {
	return json.map((j) => ({ json: j }));
}

export async function runGreenApi(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	parameters: INodeParameters,
	options: Partial<NodeRunOptions> = {},
): Promise<NodeRunResult> {
	return await runNode({
		nodeType: greenApiNode,
		credentialTypes,
		credentials,
		parameters: { resource: 'instance', ...parameters },
		...options,
	});
}

export async function pollTrigger(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	parameters: INodeParameters,
	options: Partial<PollRunOptions> & Pick<PollRunOptions, 'mode'>,
): Promise<PollRunResult> {
	return await runPoll({ nodeType: greenApiTrigger, credentialTypes, credentials, parameters, ...options });
}
