/**
 * The Partner resource: the instances of a GREEN-API partner account (list, create, delete),
 * on the GREEN-API Partner API credential. Declarative like the Instance resource: each
 * operation's `routing` gives the verb and `/partner/<method>` (the credential's authenticate
 * adds the partner token), and its pagination hook builds the body, sends the request once
 * through client/partner.ts (errors read from the body too) and shapes the output.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { GreenApiMethod } from '../../../client/api';
import { localItemError } from '../../../client/errors';
import { partnerRequest } from '../../../client/partner';
import type { PartnerMethod } from '../../../client/partner';
import { noticeField, toolDescriptionFields } from '../../fields';
import type { GreenApiOperation } from '../../operation';
import { createInstance } from './createInstance';
import { deleteInstance } from './deleteInstance';
import { listInstances } from './listInstances';

/** One operation of the Partner resource: as an instance operation, but the answer may be a list. */
export interface PartnerOperation extends Pick<GreenApiOperation, 'name' | 'value' | 'action' | 'description' | 'toolDescription' | 'warning' | 'fields'> {
	method: GreenApiMethod & { name: PartnerMethod };
	/** The request body from the item's parameters; a bad value throws `localItemError`. */
	body?: (ctx: IExecuteSingleFunctions) => IDataObject;
	/** Shapes GREEN-API's answer into items; `body` is what was sent. */
	output: (this: IExecuteSingleFunctions, answer: unknown, body: IDataObject) => Promise<INodeExecutionData[]>;
}

/** The editor lists them by name. */
export const partnerOperations: PartnerOperation[] = [createInstance, deleteInstance, listInstances];

/** Whether the node runs as an AI tool (n8n names the tool variant `<package>.greenApiTool`): a model never gets a token. */
export function isAiTool(ctx: IExecuteSingleFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

const NEEDS_PARTNER = 'Partner operations work on a partner account: set Authentication to Partner Account and choose a GREEN-API Partner API credential.';

/** Runs one item: body, one request (as the method's effect allows), output; with Continue On Fail a paired error item. */
function runPartnerOperation(operation: PartnerOperation) {
	return async function (this: IExecutePaginationFunctions, _requestData: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
		const itemIndex = this.getItemIndex();
		try {
			if (this.getNodeParameter('authentication', 'instance') !== 'partner') {
				throw localItemError(this.getNode(), `${operation.name}: needs the partner account [item ${itemIndex}]`, { itemIndex, description: NEEDS_PARTNER });
			}
			const body = operation.body?.(this);
			const answer = await partnerRequest(this, operation.method.name, {
				body,
				itemIndex,
				idInstance: body?.idInstance === undefined ? undefined : String(body.idInstance),
			});
			const items = await operation.output.call(this, answer, body ?? {});
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
			request: { method: operation.method.verb, url: `/partner/${operation.method.name}` },
			send: { paginate: true },
			operations: { pagination: runPartnerOperation(operation) },
		},
	};
}

/**
 * With the partner credential, the instance operations run on the instance this field names:
 * its token is looked up in the account's list (client/partner.ts) and never shown.
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
		displayName: NEEDS_PARTNER,
		name: 'partnerAuthenticationNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['partner'], authentication: ['instance'] } },
	},
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
	...toolDescriptionFields('partner', partnerOperations),
];
