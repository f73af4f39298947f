// Lint with n8n's own rule sets: eslint-plugin-n8n-nodes-base (community, nodes, credentials)
// and @n8n/eslint-plugin-community-nodes (the rules n8n applies when verifying community packages).
import tsParser from '@typescript-eslint/parser';
import * as jsonParser from 'jsonc-eslint-parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

const community = n8nCommunityNodesPlugin.configs.recommended;
const ts = { parser: tsParser, parserOptions: { sourceType: 'module' } };

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'sandbox/**', 'scripts/**', 'bench/**', '.cache/**', '*.js', '*.mjs'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsonParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...community.plugins },
		rules: { ...n8nNodesBase.configs.community.rules, ...community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: ts,
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...community.plugins },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			...community.rules,
			// This rule wants n8n's own doc slugs; a community credential links a full URL instead.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: ts,
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...community.plugins },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			...community.rules,
			// These predate NodeConnectionTypes and fight the newer community rule that asks for it.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];
