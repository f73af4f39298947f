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
