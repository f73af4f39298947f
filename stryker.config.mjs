// Mutation testing of the pure modules against the unit tests alone (`npm run test:mutation`,
// not part of CI): a surviving mutant is behaviour no unit test pins. Reports go to
// reports/mutation/ (not in git).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'jest',
	jest: {
		configFile: 'jest.config.js',
		// Jest's related-test lookup sees only test/unit, so a module is measured by the unit tests
		// that import it (each pure module has its own); it keeps a run to minutes.
		config: { roots: ['<rootDir>/test/unit'] },
	},
	coverageAnalysis: 'perTest',
	mutate: [
		'nodes/client/errors.ts',
		'nodes/client/retry.ts',
		'nodes/client/api.ts',
		'nodes/client/phone.ts',
		'nodes/client/states.ts',
		'nodes/client/queue.ts',
		'nodes/GreenApiTrigger/decide.ts',
		'nodes/GreenApiTrigger/fleetDecide.ts',
		// Only the Share class (lines 71-149; move the range with it): its logic is pure, times are
		// passed in. The Pacer around it runs on timers.
		'nodes/client/pacing.ts:71-149',
	],
	reporters: ['clear-text', 'html', 'progress'],
	htmlReporter: { fileName: 'reports/mutation/index.html' },
	concurrency: 2,
	tempDirName: '.stryker-tmp',
};
