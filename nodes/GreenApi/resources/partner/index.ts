/**
 * The Partner resource: the instances of a GREEN-API partner account (list, create, delete),
 * on the GREEN-API Partner API credential. Declarative like the Instance resource: each
 * operation's `routing` gives the verb and `/partner/<method>` (the credential's authenticate
 * adds the partner token), `preSend` builds the body, and the pagination hook sends it once
 * through nodes/shared/partner.ts (errors read from the body too) and shapes the output.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	PreSendAction,
} from 'n8n-workflow';

import { PARTNER_METHODS, partnerRequest } from '../../../shared/partner';
import type { PartnerMethod } from '../../../shared/partner';
import { noticeField, toolDescriptionFields } from '../../shared/descriptions';
import { createInstance } from './createInstance';
import { deleteInstance } from './deleteInstance';
import { listInstances } from './listInstances';

/** One operation of the Partner resource. */
export interface PartnerOperation {
	name: string;
	value: string;
	method: PartnerMethod;
	action: string;
	description: string;
	/** Shown as a notice in the parameter panel. */
	warning?: string;
	fields?: INodeProperties[];
	preSend?: PreSendAction;
	/** Shapes the answer into items; `sent` is the request as it went out. */
	output: (this: IExecuteSingleFunctions, answer: unknown, sent: IHttpRequestOptions) => Promise<INodeExecutionData[]>;
}

/** In the order the editor lists them (alphabetical). */
export const partnerOperations: PartnerOperation[] = [createInstance, deleteInstance, listInstances];

const ASK_A_HUMAN = 'Ask a human and get their approval before using it.';

/** Whether the node runs as an AI tool (n8n names the tool variant `<package>.greenApiTool`): a model never gets a token. */
export function isAiTool(ctx: IExecuteSingleFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

const TOOL_DESCRIPTIONS: Record<string, string> = {
	listInstances:
		'List the WhatsApp instances of the GREEN-API partner account. Use it to find an instance by name or to count instances. Returns one item per instance: idInstance, name, typeInstance, timeCreated, expirationDate, apiUrl. Deleted and expired instances are left out. No API tokens are returned.',
	createInstance: `Create a new GREEN-API instance on the partner account. It is billed and returns a secret API token. ${ASK_A_HUMAN} Input: the name. Returns idInstance, typeInstance, apiUrl.`,
	deleteInstance: `Delete an instance of the partner account for good. The linked phone is not logged out: Logout comes first. ${ASK_A_HUMAN} Input: the idInstance. Returns deleteInstanceAccount.`,
};

/** Runs one item: sends the request built by routing and preSend exactly as the method allows, then the output step. */
function runPartnerOperation(operation: PartnerOperation) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const itemIndex = this.getItemIndex();
		try {
			const sent = requestData.options as IHttpRequestOptions;
			const body = sent.body && typeof sent.body === 'object' ? (sent.body as Record<string, never>) : undefined;
			const answer = await partnerRequest(this, operation.method, {
				body,
				itemIndex,
				idInstance: body && 'idInstance' in body ? String(body.idInstance) : undefined,
			});
			const items = await operation.output.call(this, answer, sent);
			return items.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
		} catch (error) {
			const failure =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex, message: `${operation.name}: ${(error as Error).message} [item ${itemIndex}]` });
			if (!this.continueOnFail()) throw failure;
			return [{ json: {}, error: failure, pairedItem: { item: itemIndex } }];
		}
	};
}

function operationOption(operation: PartnerOperation): INodePropertyOptions {
	return {
		name: operation.name,
		value: operation.value,
		action: operation.action,
		description: operation.description,
		routing: {
			request: { method: PARTNER_METHODS[operation.method].verb, url: `/partner/${operation.method}` },
			send: { paginate: true, preSend: operation.preSend ? [operation.preSend] : [] },
			operations: { pagination: runPartnerOperation(operation) },
		},
	};
}

/**
 * With the partner credential, the instance operations run on the instance this field names:
 * its token is looked up in the account's list (shared/partner.ts) and never shown.
 */
export const fleetInstanceField: INodeProperties = {
	displayName: 'Instance ID',
	name: 'idInstance',
	type: 'string',
	required: true,
	default: '',
	placeholder: '1101000001',
	description:
		'The idInstance of an instance of the partner account, e.g. the idInstance field of a fleet trigger item or of List Instances. Its API token is looked up in the account\'s list (once per execution) and never shown.',
	displayOptions: { show: { authentication: ['partner'], resource: ['instance'] } },
};

export const partnerDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['partner'] } },
		options: partnerOperations.map(operationOption),
		default: 'listInstances',
	},
	...partnerOperations.flatMap((op) => (op.warning ? [noticeField('partner', op.value, op.warning)] : [])),
	...partnerOperations.flatMap((op) => op.fields ?? []),
	...toolDescriptionFields('partner', TOOL_DESCRIPTIONS),
];
