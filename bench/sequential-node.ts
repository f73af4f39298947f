/**
 * Case (d): how a per-item programmatic node sends. Its execute() walks the input items and
 * awaits one `this.helpers.httpRequest` per item before starting the next, the shape of most
 * hand-written community nodes (and of the official GREEN-API package's nodes).
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

export class SequentialCheck implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sequential Check WhatsApp',
		name: 'sequentialCheck',
		group: ['output'],
		version: 1,
		description: 'One checkWhatsapp request per item, one after the other',
		defaults: { name: 'Sequential Check WhatsApp' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Phone Number', name: 'phoneNumber', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const url = this.getNodeParameter('url', i) as string;
				const phoneNumber = Number(this.getNodeParameter('phoneNumber', i));
				const json = (await this.helpers.httpRequest({ method: 'POST', url, body: { phoneNumber }, json: true })) as IDataObject;
				out.push({ json, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}
