import type { OperationFixture, OperationCase } from '../harness/operations';

const unban = (description: string, phoneNumber = '+7 900 123-45-67') => ({ phoneNumber, description });
const appeal = unban('Please review the ban of +79001234567: support replies only.');

const statusCase = (status: string, explanation: RegExp): OperationCase => ({
	title: `keeps status ${status} and reason and explains it`,
	instance: { unbanStatus: status, stateInstance: 'blocked' },
	parameters: appeal,
	output: [{ phoneNumber: '79001234567', status, reason: '', explanation: expect.stringMatching(explanation) }],
	requests: { unban: 1 },
});

export const fixture: OperationFixture = {
	operation: 'unban',
	cases: [
		statusCase('UNBANNED', /ban was lifted/),
		statusCase('IN_REVIEW', /do not appeal again/),
		statusCase('PERMANETLY_BANNED', /banned permanently.*spells this status PERMANETLY_BANNED/),
		statusCase('NO_APPEAL_OPEN', /No appeal/),
		statusCase('SOMETHING_NEW', /not documented yet/),
		{
			title: 'keeps the input item\'s fields, and files one appeal for the same number and text in one execution',
			contract: true,
			instance: { unbanStatus: 'IN_REVIEW', stateInstance: 'blocked' },
			parameters: { ...appeal, phoneNumber: '={{ $json.phone }}' },
			input: [{ phone: '+7 900 123-45-67', ticket: 17 }, { phone: '79001234567@c.us', ticket: 18 }],
			output: [
				{ phone: '+7 900 123-45-67', ticket: 17, phoneNumber: '79001234567', status: 'IN_REVIEW', reason: '', explanation: expect.stringMatching(/do not appeal again/) },
				{
					phone: '79001234567@c.us',
					ticket: 18,
					phoneNumber: '79001234567',
					status: 'IN_REVIEW',
					reason: '',
					explanation: expect.stringMatching(/do not appeal again/),
					repeatOfEarlierItem: true,
				},
			],
			requests: { unban: 1 },
		},
		{
			title: 'the same number with another text is another appeal: each is filed, neither marked as a repeat',
			instance: { unbanStatus: 'IN_REVIEW', stateInstance: 'blocked' },
			parameters: { phoneNumber: '79001234567', description: '={{ $json.text }}' },
			input: [{ text: 'First appeal.' }, { text: 'Second appeal, other words.' }, { text: 'First appeal.' }],
			outputLike: [
				{ text: 'First appeal.', phoneNumber: '79001234567', status: 'IN_REVIEW' },
				{ text: 'Second appeal, other words.', phoneNumber: '79001234567', status: 'IN_REVIEW' },
				{ text: 'First appeal.', phoneNumber: '79001234567', status: 'IN_REVIEW', repeatOfEarlierItem: true },
			],
			check: (result) => expect(result.items.slice(0, 2).map((item) => item.json.repeatOfEarlierItem)).toEqual([undefined, undefined]),
			requests: { unban: 2 },
		},
		{
			title: 'needs a description, and sends nothing without one',
			parameters: unban('   '),
			error: 'Description in item 0 is empty',
			totalRequests: 0,
		},
		{
			title: 'shows the API error for a number that was never on this instance',
			parameters: unban('appeal', '441234567891'),
			error: /rejected the request: phone number was not connected to this instance/,
		},
		{
			title: 'is never retried: a 502 answer files no second appeal',
			faults: [{ method: 'unban', kind: 'html', count: 5 }],
			parameters: unban('appeal'),
			error: /server error \(502\): 502 Bad Gateway/,
			requests: { unban: 1 },
		},
	],
};
