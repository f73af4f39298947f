import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { METHODS } from '../../../shared/api';
import { GreenApiError } from '../../../shared/errors';
import type { QueueAnswerError } from '../../../shared/queue';
import { readMessagesCount } from '../../../shared/queue';
import { DEFAULT_TIMEOUT_MS, sendPaced } from '../../../shared/transport';
import type { GreenApiOperation } from '../../shared/routing';
import { itemError } from '../../shared/routing';

const NAME = 'Get Outgoing Queue';

function explain(count: number): string {
	if (count === 0) return 'No messages wait to be sent.';
	return `${count} message${count === 1 ? '' : 's'} wait to be sent. GREEN-API sends only while the instance is authorized; in notAuthorized, blocked or yellowCard they stay queued and are kept 24 hours. Check the state with Get State.`;
}

export const getOutgoingQueue: GreenApiOperation = {
	name: NAME,
	value: 'getOutgoingQueue',
	method: 'getMessagesCount',
	action: 'Get the number of messages waiting to be sent',
	description:
		'Get how many messages wait in the outgoing queue of the instance (they pile up while it is notAuthorized or yellowCard). Returns count and explanation; with Include Messages also the first 500 messages.',
	fields: [
		{
			displayName: 'Include Messages',
			name: 'includeMessages',
			type: 'boolean',
			default: false,
			description:
				'Whether to list the waiting messages too (the first 500, under messages): one more request (showMessagesQueue)',
			displayOptions: { show: { resource: ['instance'], operation: ['getOutgoingQueue'] } },
		},
	],
	async output(answer) {
		let count: number;
		try {
			count = readMessagesCount(answer);
		} catch (error) {
			// readMessagesCount throws only QueueAnswerError, which says what came instead of a count.
			throw itemError(this, NAME, (error as QueueAnswerError).message, 'GREEN-API answered without a usable count. Try again; if it persists, check the queue in the GREEN-API console.');
		}
		const json: IDataObject = { count, explanation: explain(count) };
		if (this.getNodeParameter('includeMessages', false) === true) {
			const options = this.getNodeParameter('options', {}) as { maxRequestsPerSecond?: number; timeout?: number };
			let messages: unknown;
			try {
				messages = await sendPaced(
					this,
					{ method: METHODS.showMessagesQueue.verb, url: '/showMessagesQueue', headers: { Accept: 'application/json' } },
					{
						method: 'showMessagesQueue',
						maxPerSecond: options.maxRequestsPerSecond,
						timeoutMs: options.timeout && options.timeout > 0 ? options.timeout * 1000 : DEFAULT_TIMEOUT_MS,
						itemIndex: this.getItemIndex(),
					},
				);
			} catch (error) {
				// The routing lets only a NodeOperationError out of an output step as it is (anything
				// else reads as a bug of ours): GREEN-API's failure keeps its words, not its HTTP code.
				if (!(error instanceof GreenApiError)) throw new NodeOperationError(this.getNode(), error as Error);
				throw new NodeOperationError(this.getNode(), error.message, { itemIndex: this.getItemIndex(), description: error.description ?? undefined });
			}
			if (!Array.isArray(messages)) {
				throw itemError(this, NAME, 'GREEN-API answered showMessagesQueue with something that is not a list', 'Try again, or turn Include Messages off to get the count alone.');
			}
			json.messages = messages as IDataObject[];
		}
		return [{ json }];
	},
};
