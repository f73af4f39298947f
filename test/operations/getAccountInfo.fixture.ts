import type { OperationFixture } from '../harness/operations';

export const fixture: OperationFixture = {
	operation: 'getAccountInfo',
	cases: [
		{
			title: 'gives phone, avatar, device and state',
			contract: true,
			output: [
				{
					avatar: expect.stringMatching(/^https?:\/\//),
					phone: '79001234567',
					stateInstance: 'authorized',
					deviceId: expect.any(String),
					meaning: 'Linked to a phone and working.',
				},
			],
			requests: { getWaSettings: 1 },
		},
	],
};
