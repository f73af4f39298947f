import type { OperationFixture } from '../harness/operations';

export const fixture: OperationFixture = {
	operation: 'logout',
	cases: [
		{
			title: 'answers isLogout and leaves the instance notAuthorized',
			contract: true,
			output: [{ isLogout: true }],
			then: { operation: 'getAccountInfo', outputLike: [{ stateInstance: 'notAuthorized', phone: '', avatar: '', deviceId: '' }] },
		},
	],
};
