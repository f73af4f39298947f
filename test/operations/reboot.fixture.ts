import type { OperationFixture } from '../harness/operations';

export const fixture: OperationFixture = {
	operation: 'reboot',
	cases: [
		{
			title: 'answers isReboot and the instance starts, then comes back',
			contract: true,
			output: [{ isReboot: true }],
			then: { operation: 'getState', outputLike: [{ stateInstance: 'starting' }] },
		},
	],
};
