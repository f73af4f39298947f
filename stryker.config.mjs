// Mutation testing of the pure modules against the unit tests alone (`npm run test:mutation`,
// not part of CI): a surviving mutant is behaviour no unit test pins. Reports go to
// reports/mutation/ (not in git).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'jest',
	jest: {
		configFile: 'jest.config.js',
		// nodes/ is a root so that Jest's related-test lookup follows imports through it (a test
		// reaching states.ts through decide.ts); only test/unit holds tests.
		config: { roots: ['<rootDir>/nodes', '<rootDir>/test/unit'], testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
	},
	coverageAnalysis: 'perTest',
	mutate: [
		'nodes/shared/errors.ts',
		'nodes/shared/retry.ts',
		'nodes/shared/api.ts',
		'nodes/shared/phone.ts',
		'nodes/shared/states.ts',
		'nodes/shared/queue.ts',
		'nodes/GreenApiTrigger/decide.ts',
	],
	reporters: ['clear-text', 'html', 'progress'],
	htmlReporter: { fileName: 'reports/mutation/index.html' },
	concurrency: 2,
	tempDirName: '.stryker-tmp',
};
