import type { OperationFixture, OperationCase } from '../harness/operations';

const number = { phoneNumber: '+7 900 123-45-67' };

const statusCase = (status: string, explanation: RegExp): OperationCase => ({
	title: `gives appeal status ${status} with the same explanation as Unban`,
	instance: { stateInstance: 'blocked', appealStatus: status },
	parameters: number,
	output: [{ phoneNumber: '79001234567', status, reason: '', explanation: expect.stringMatching(explanation) }],
	requests: { unbanStatus: 1, unban: 0 },
});

export const fixture: OperationFixture = {
	operation: 'getAppealStatus',
	cases: [
		statusCase('NO_APPEAL_OPEN', /No appeal was received/),
		statusCase('IN_REVIEW', /do not appeal again/),
		statusCase('UNBANNED', /ban was lifted/),
		statusCase('PERMANETLY_BANNED', /banned permanently.*spells this status PERMANETLY_BANNED/),
		statusCase('SOMETHING_NEW', /not documented yet/),
		{
			title: 'is safe to repeat: a second look files no appeal and gives the same status',
			contract: true,
			instance: { stateInstance: 'blocked', appealStatus: 'IN_REVIEW' },
			parameters: number,
			outputLike: [{ status: 'IN_REVIEW' }],
			requests: { unbanStatus: 1, unban: 0 },
			then: { operation: 'getAppealStatus', parameters: number, outputLike: [{ status: 'IN_REVIEW' }], requests: { unbanStatus: 1, unban: 0 } },
		},
		{
			title: 'changes nothing on the instance',
			instance: { stateInstance: 'blocked', appealStatus: 'IN_REVIEW' },
			parameters: number,
			outputLike: [{ status: 'IN_REVIEW' }],
			then: { operation: 'getState', output: [{ stateInstance: 'blocked', meaning: expect.any(String), recommendedAction: 'appeal' }] },
		},
		{
			title: 'unlike Unban it is retried after a passing 502',
			instance: { stateInstance: 'blocked', appealStatus: 'IN_REVIEW' },
			faults: [{ method: 'unbanStatus', kind: 'html' }],
			parameters: number,
			outputLike: [{ status: 'IN_REVIEW' }],
			statuses: { unbanStatus: { '502': 1, '200': 1 } },
		},
		{
			title: 'shows the API error for a number that was never on this instance',
			parameters: { phoneNumber: '441234567891' },
			error: /rejected the request: phone number was not connected to this instance \[item 0\]/,
		},
		{
			title: 'a number that is not a phone number fails before any request',
			parameters: { phoneNumber: 'call me' },
			error: /Phone Number in item 0: "call me" is not a phone number/,
			totalRequests: 0,
		},
	],
};
