import type { OperationFixture } from '../harness/operations';

export const fixture: OperationFixture = {
	operation: 'getState',
	cases: [
		{
			title: 'gives one result per input item, paired, with what the state means',
			contract: true,
			instance: { stateInstance: 'yellowCard' },
			input: [{ a: 1 }, { a: 2 }, { a: 3 }],
			output: [1, 2, 3].map(() => ({
				stateInstance: 'yellowCard',
				meaning: expect.stringMatching(/suspended for suspected spam/),
				recommendedAction: 'reboot',
			})),
			requests: { getStateInstance: 3 },
		},
		{
			title: 'passes an unknown state through untouched',
			instance: { stateInstance: 'quantumLocked' },
			outputLike: [{ stateInstance: 'quantumLocked', recommendedAction: 'unknown' }],
		},
	],
};
