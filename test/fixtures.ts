import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { GreenApi as GreenApiCredential } from '../credentials/GreenApi.credentials';
import { GreenApi } from '../nodes/GreenApi/GreenApi.node';
import { GreenApiTrigger } from '../nodes/GreenApiTrigger/GreenApiTrigger.node';
import { runNode, runPoll } from './harness/engine';
import type { NodeRunOptions, NodeRunResult, PollRunOptions, PollRunResult } from './harness/engine';

import type { InstanceDef as SandboxInstanceDef, Sandbox, SandboxModule, Stats } from '../sandbox/types';

// The sandbox is plain JavaScript shared with the demo; its types are written once, in
// sandbox/types.d.ts, and server.js is type-checked against them (sandbox/tsconfig.json).
export type { Fault, InstancePatch, InstanceView, MessageDef, QueuedMessage, Sandbox, SandboxOptions } from '../sandbox/types';
export type SandboxStats = Stats;
/** The sandbox also takes numeric ids; tests use strings, as the credential holds them. */
export type InstanceDef = SandboxInstanceDef & { idInstance: string };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sandboxModule = require('../sandbox/server') as SandboxModule;
export const { startSandbox, DEMO, METHODS, METHOD_TABLE, DEFAULT_RATE_LIMITS } = sandboxModule;

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
