import type { IDataObject } from 'n8n-workflow';

import type { GreenApiMethod } from '../../../client/api';
import type { QueueAnswerError } from '../../../client/queue';
import { readMessagesCount } from '../../../client/queue';
import { sendPaced } from '../../../client/transport';
import type { GreenApiOperation } from '../../operation';
import { itemError, sendOptionsFor } from '../../operation';

const NAME = 'Get Outgoing Queue';

const showMessagesQueue: GreenApiMethod = { name: 'showMessagesQueue', verb: 'GET', perSecond: 1, published: false, effect: 'reads' };

function explain(count: number): string {
	if (count === 0) return 'No messages wait to be sent.';
	return `${count} message${count === 1 ? '' : 's'} wait to be sent. GREEN-API sends only while the instance is authorized; in notAuthorized, blocked or yellowCard they stay queued and are kept 24 hours. Check the state with Get State.`;
}

export const getOutgoingQueue: GreenApiOperation = {
	name: NAME,
	value: 'getOutgoingQueue',
	method: { name: 'getMessagesCount', verb: 'GET', perSecond: 1, published: false, effect: 'reads' },
	alsoCalls: [showMessagesQueue],
	action: 'Get the number of messages waiting to be sent',
	description: 'Get how many messages wait in the outgoing queue (optionally the first 500 of them)',
	toolDescription:
		'Get how many messages wait to be sent. Use it to learn how much is stuck while the state is notAuthorized or yellowCard. Returns count and explanation.',
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
			// A failure of this request is a GreenApiError: the routing lets it out as it is.
			const messages: unknown = await sendPaced(
				this,
				{ method: showMessagesQueue.verb, url: `/${showMessagesQueue.name}`, headers: { Accept: 'application/json' } },
				sendOptionsFor(this, showMessagesQueue),
			);
			if (!Array.isArray(messages)) {
				throw itemError(this, NAME, 'GREEN-API answered showMessagesQueue with something that is not a list', 'Try again, or turn Include Messages off to get the count alone.');
			}
			json.messages = messages as IDataObject[];
		}
		return [{ json }];
	},
};
