/**
 * End-to-end suite: the packed package installed into a real n8n (2.41.1 and 1.123.81, both under
 * Node 24 from .cache/), workflows run against the GREEN-API sandbox, and the editor checked in
 * headless Chromium; and n8n 2.41.1 in queue mode (queue.e2e.test.ts: PostgreSQL, Redis, a main
 * and two workers); and install.e2e.test.ts: installs by name, updates, uninstalls and n8n
 * upgrades through a local npm registry (verdaccio). Slow (minutes): run with `npm run test:e2e`, never as part of `npm test`.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	// One npm registry (verdaccio) for every suite that installs the package by name.
	globalSetup: '<rootDir>/test/e2e/registry.setup.js',
	globalTeardown: '<rootDir>/test/e2e/registry.teardown.js',
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', target: 'es2022', esModuleInterop: true, resolveJsonModule: true, allowJs: true } }],
	},
	// One n8n setup at a time: each suite starts its own n8n processes, and two at once would only
	// compete for the CPU.
	maxWorkers: 1,
	// A cold .cache installs Node 24 and n8n inside beforeAll; every hook and test sets its own
	// timeout too, this is the fallback.
	testTimeout: 10 * 60 * 1000,
	// Ctrl-C or a crash still stops n8n: scripts/n8n-env.js kills what it started on exit.
	forceExit: false,
	detectOpenHandles: false,
	verbose: true,
};
