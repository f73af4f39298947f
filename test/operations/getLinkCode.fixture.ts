import type { OperationFixture } from '../harness/operations';

const phone = { phoneNumber: '+44 1234 567891' };

export const fixture: OperationFixture = {
	operation: 'getLinkCode',
	cases: [
		{
			title: 'gives the code for the number, until when it is valid, and how to enter it',
			contract: true,
			instance: { stateInstance: 'notAuthorized' },
			parameters: phone,
			output: [
				{
					phoneNumber: '441234567891',
					status: true,
					code: expect.stringMatching(/^[A-Z0-9]{8}$/),
					validUntil: expect.any(String),
					explanation: expect.stringMatching(/Link with phone number instead, then type [A-Z0-9]{8} before 20\d\d-/),
				},
			],
			requests: { getAuthorizationCode: 1 },
			check: (result) => {
				// About 2.5 minutes from the answer: the run just ended, so between 2 and 2.5 minutes from now.
				const left = Date.parse(String(result.items[0].json.validUntil)) - Date.now();
				expect(left).toBeGreaterThan(120_000);
				expect(left).toBeLessThanOrEqual(150_000);
			},
		},
		{
			title: 'status false is not a success: the item fails saying no code came and what to do',
			instance: { stateInstance: 'notAuthorized', authorizationCodeStatus: false },
			parameters: phone,
			error: 'Get Link Code: GREEN-API gave no link code (status false) [item 0]',
			errorDescription: /Ask again in a few seconds.*Get State.*notAuthorized.*Get QR Code/,
			requests: { getAuthorizationCode: 1 },
		},
		{
			title: 'an authorized instance: says it is linked and to log out first, not an opaque 400',
			instance: { stateInstance: 'authorized' },
			parameters: phone,
			error: /^The instance is already linked to a phone: GREEN-API gives a link code only to an unlinked instance: instance account already authorized \[item 0\]$/,
			errorDescription: /run Logout first/,
			requests: { getAuthorizationCode: 1 },
		},
		{
			title: 'a yellowCard instance: the advice says not to log out it, and how to tell',
			instance: { stateInstance: 'yellowCard' },
			parameters: phone,
			error: /already linked to a phone/,
			errorDescription: /If Get State says yellowCard, do not log out/,
		},
		{
			title: 'a starting instance: wait, then ask again',
			instance: { stateInstance: 'starting' },
			parameters: phone,
			error: /rejected the request: instance in starting process try later \[item 0\]/,
			errorDescription: /wait a few minutes/,
		},
		{
			title: 'a number that is not a phone number fails before any request',
			instance: { stateInstance: 'notAuthorized' },
			parameters: { phoneNumber: '12345' },
			error: /Phone Number in item 0: "12345" has 5 digits/,
			totalRequests: 0,
		},
		{
			title: 'a wrong token says so, without the token',
			instance: { stateInstance: 'notAuthorized' },
			parameters: phone,
			// a 401 injected after auth stands for GREEN-API refusing the token
			faults: [{ method: 'getAuthorizationCode', kind: 'status', status: 401, body: 'Unauthorized' }],
			error: 'GREEN-API refused the API token (401 Unauthorized) [item 0]',
		},
	],
};
