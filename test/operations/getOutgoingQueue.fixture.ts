import type { OperationFixture } from '../harness/operations';

export const fixture: OperationFixture = {
	operation: 'getOutgoingQueue',
	cases: [
		{
			title: 'an authorized instance sends at once: nothing waits',
			output: [{ count: 0, explanation: 'No messages wait to be sent.' }],
			requests: { getMessagesCount: 1, showMessagesQueue: 0 },
		},
		{
			title: 'reads the count under the Cyrillic key GREEN-API\'s examples show, with what it means',
			contract: true,
			instance: { stateInstance: 'notAuthorized', queue: 3, countKey: '\u0441ount' },
			output: [{ count: 3, explanation: expect.stringMatching(/^3 messages wait to be sent\. .*notAuthorized, blocked or yellowCard.*24 hours/) }],
		},
		{
			title: 'reads the count under the Latin key too',
			instance: { stateInstance: 'yellowCard', queue: 1, countKey: 'count' },
			output: [{ count: 1, explanation: expect.stringMatching(/^1 message wait/) }],
		},
		{
			title: 'with Include Messages lists the waiting messages (one more request)',
			contract: true,
			instance: { stateInstance: 'notAuthorized', queue: [{ chatId: '441234567891@c.us', message: 'Hello' }, { chatId: '441234567892@c.us', message: 'Bye' }] },
			parameters: { includeMessages: true },
			output: [
				{
					count: 2,
					explanation: expect.any(String),
					messages: [
						{ messageID: expect.any(String), type: 'sendMessage', body: { chatId: '441234567891@c.us', message: 'Hello' } },
						{ messageID: expect.any(String), type: 'sendMessage', body: { chatId: '441234567892@c.us', message: 'Bye' } },
					],
				},
			],
			requests: { getMessagesCount: 1, showMessagesQueue: 1 },
		},
		{
			title: 'an answer without a count is a clear error, never read as an empty queue',
			faults: [{ method: 'getMessagesCount', kind: 'status', status: 200, body: { total: 4 } }],
			error: /^Get Outgoing Queue: GREEN-API answered getMessagesCount without a count: \{"total":4\} \[item 0\]$/,
			requests: { getMessagesCount: 1 },
		},
		{
			title: 'a failure of the message list is GREEN-API\'s, named as such',
			instance: { stateInstance: 'notAuthorized', queue: 1 },
			faults: [{ method: 'showMessagesQueue', kind: 'status', status: 500, body: 'boom' }],
			parameters: { includeMessages: true },
			error: /^GREEN-API had a server error \(500\): boom \[item 0\]$/,
			// It reaches the user as GREEN-API's answer, with its HTTP status.
			check: (result) => expect((result.error as { httpCode?: string | null }).httpCode).toBe('500'),
		},
		{
			title: 'a wrong token says so, without the token',
			faults: [{ method: 'getMessagesCount', kind: 'status', status: 401, body: 'Unauthorized' }],
			error: 'GREEN-API refused the API token (401 Unauthorized) [item 0]',
		},
	],
};
