/** Fast suite: unit tests and engine tests against the sandbox (no real n8n). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', target: 'es2021', esModuleInterop: true, resolveJsonModule: true } }],
	},
	testTimeout: 30000,
	// Engine test files spend most of their time loading n8n-core and waiting on HTTP or on the
	// real clock's pacing proofs: two workers overlap that, also on a 2-core machine.
	maxWorkers: 2,
};
