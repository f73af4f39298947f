// One lint for the whole repository, with rules that fit each part:
// - shipped code (nodes/, credentials/) and package.json get exactly what n8n's own CLI
//   (@n8n/node-cli, configs/eslint.js) and its verification scanner apply: @eslint/js and
//   typescript-eslint recommended, @n8n/eslint-plugin-community-nodes recommended and
//   eslint-plugin-n8n-nodes-base's community/credentials/nodes sets;
// - development code (tests, sandbox, scripts, benchmarks) runs in Node.js and never ships:
//   the n8n node rules (no process, no fs, no setTimeout...) do not apply to it; it gets the
//   general recommended rules plus the type-aware promise rules that catch real test bugs.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

const community = n8nCommunityNodesPlugin.configs.recommended;

// Unused variables are errors everywhere; a leading underscore marks one kept on purpose.
const unusedVars = [
	'error',
	{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
];

export default defineConfig(
	globalIgnores(['dist/', 'node_modules/', '.cache/', 'coverage/', '**/*.tgz', '.stryker-tmp/', 'reports/']),

	// Shipped code: n8n-node CLI's configuration for community nodes.
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, community],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		// n8n's scanner ignores eslint-disable comments, so they must not silence anything here.
		linterOptions: { noInlineConfig: true },
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
			'@typescript-eslint/no-unused-vars': unusedVars,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Both switched off by n8n's CLI and scanner: the first wants n8n's own doc slugs (a
			// community credential links a full URL), the second is superseded by the community
			// plugin's credential-password-field.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Switched off by n8n's CLI and scanner: these predate NodeConnectionTypes, and a maxValue
			// that mirrors an API's own limit is valid.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},

	// package.json: the plugins' package.json rules walk a JavaScript object expression, so it is
	// parsed by typescript-eslint as n8n's CLI does (a JSON parser would leave every rule silent).
	{
		files: ['package.json'],
		extends: [community],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
		rules: { ...n8nNodesBase.configs.community.rules },
	},

	// Development code in TypeScript: tests and benchmarks.
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		languageOptions: {
			globals: { ...globals.node, ...globals.jest },
			parserOptions: {
				// Types from test/tsconfig.json, test/e2e/tsconfig.json and bench/tsconfig.json.
				projectService: true,
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			'@typescript-eslint/no-unused-vars': unusedVars,
			// A promise nobody awaits is a test that passes before its assertion runs (an un-awaited
			// `expect(...).rejects`), or a server left running.
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/await-thenable': 'error',
			'@typescript-eslint/no-misused-promises': 'error',
		},
	},
	{
		// The end-to-end suite reads n8n's untyped REST answers throughout.
		files: ['test/e2e/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' },
	},

	// Development code in JavaScript: the sandbox, scripts, benchmark loader, root configs.
	{
		files: ['**/*.js'],
		extends: [js.configs.recommended],
		languageOptions: { sourceType: 'commonjs', globals: globals.node },
		// no-empty (recommended) stays strict: a catch that ignores an error on purpose (best-effort
		// cleanup of a process or file that may be gone) says why in a comment, which ESLint counts
		// as content.
		rules: { 'no-unused-vars': unusedVars },
	},
	{
		files: ['**/*.mjs'],
		extends: [js.configs.recommended],
		languageOptions: { sourceType: 'module', globals: globals.node },
		rules: { 'no-unused-vars': unusedVars },
	},
);
