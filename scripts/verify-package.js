#!/usr/bin/env node
// `npm run verify`: check the package the way n8n's verification scanner
// (@n8n/scan-community-package, scanner.mjs) will, before it is published.
//
// It packs the project with `npm pack`, unpacks the tarball and fails when:
// - the tarball holds anything but the build of nodes/ and credentials/ (dist/), README, LICENSE,
//   package.json and the `main` stub;
// - a path in package.json's `n8n` attribute is missing from the tarball or lies outside dist/;
// - a runtime dependency appears (n8n installs community packages without them);
// - the packed size exceeds the budget below;
// - the scanner's lint fails. Like the scanner it lints twice, with inline configuration
//   (eslint-disable comments) ignored: the tarball's .js files and package.json, and the
//   source's package.json, nodes/ and credentials/. Its rule set is rebuilt here from the
//   installed plugins exactly as scanner.mjs builds it (buildScanConfig).
//
// Usage: node scripts/verify-package.js [project folder]   (default: this repository; the folder
// must be built: `npm run build`). Provenance, the scanner's other requirement, can only be
// checked after publishing (see docs/RELEASE.md).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

// About 46 kB packed with 10 operations and the trigger (no source maps: they pointed at .ts
// files the package does not ship, and were a third of the tarball). The budget leaves room for
// more operations (roughly 1-2 kB packed each) while still catching what does not belong in
// dist/: a bundled library, inlined source maps or copied fixtures each add tens of kilobytes.
const PACKED_BUDGET_BYTES = 60 * 1000;

// What the build writes next to each source file: tsc's output and gulp's copied assets.
const BUILT_FROM_TS = ['.js', '.d.ts', '.js.map'];
const COPIED_ASSETS = ['.svg', '.png', '.json'];

const projectDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const failures = [];
const fail = (check, message) => {
	failures.push(check);
	console.log(`FAIL ${check}: ${message}`);
};
const pass = (check, message) => console.log(`ok   ${check}: ${message}`);

// Every file under dir as a relative POSIX path; installed and generated folders are skipped.
function listFiles(dir, base = dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			return ['node_modules', '.git', '.cache'].includes(entry.name) ? [] : listFiles(full, base);
		}
		return [path.relative(base, full).split(path.sep).join('/')];
	});
}

function pack(workDir) {
	// --ignore-scripts: the tarball must be what `npm publish` sends, without running anything.
	const out = execFileSync(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', workDir],
		{ cwd: projectDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const [info] = JSON.parse(out);
	const tarball = path.join(workDir, info.filename);
	const unpacked = path.join(workDir, 'package');
	fs.mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	return { info, unpacked };
}

// The build of one tarball file: dist/<x>.js, .d.ts or .js.map from <x>.ts, or an asset copied
// from the same path; only nodes/ and credentials/ are built (icons/ is copied as it is).
function sourceOf(file) {
	const rel = file.slice('dist/'.length);
	if (!/^(nodes|credentials|icons)\//.test(rel)) return undefined;
	const ext = BUILT_FROM_TS.find((e) => rel.endsWith(e));
	if (ext) return rel.slice(0, -ext.length) + '.ts';
	if (COPIED_ASSETS.some((e) => rel.endsWith(e))) return rel;
	return undefined;
}

function checkContents(files, pkg) {
	const allowedTopLevel = new Set(['package.json', 'README.md', 'LICENSE']);
	if (pkg.main) allowedTopLevel.add(path.posix.normalize(pkg.main));
	const stray = files.filter((file) => {
		if (allowedTopLevel.has(file)) return false;
		if (!file.startsWith('dist/')) return true;
		const source = sourceOf(file);
		return !source || !fs.existsSync(path.join(projectDir, source));
	});
	for (const name of ['package.json', 'README.md', 'LICENSE']) {
		if (!files.includes(name)) fail('contents', `${name} is missing from the tarball`);
	}
	if (stray.length) {
		fail('contents', `not part of the built package:\n${stray.map((f) => `       ${f}`).join('\n')}`);
	} else {
		pass('contents', `${files.length} files: dist/ built from nodes/ and credentials/, README, LICENSE, package.json${pkg.main ? `, ${pkg.main}` : ''}`);
	}
}

function checkN8nPaths(unpacked, pkg) {
	const n8n = pkg.n8n ?? {};
	const paths = [...(n8n.nodes ?? []), ...(n8n.credentials ?? [])];
	if (!(n8n.nodes ?? []).length) fail('n8n paths', 'package.json declares no n8n.nodes');
	let bad = 0;
	for (const p of paths) {
		const normal = path.posix.normalize(String(p));
		if (!normal.startsWith('dist/')) {
			bad++;
			fail('n8n paths', `${p} is not under dist/`);
		} else if (!fs.existsSync(path.join(unpacked, normal))) {
			bad++;
			fail('n8n paths', `${p} is not in the tarball`);
		}
	}
	if (!bad && paths.length) pass('n8n paths', `${paths.length} node and credential files present`);
}

function checkDependencies(pkg) {
	const fields = ['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies'];
	const found = fields.flatMap((field) => {
		const value = pkg[field];
		const names = Array.isArray(value) ? value : Object.keys(value ?? {});
		return names.map((name) => `${field}: ${name}`);
	});
	if (found.length) fail('dependencies', `runtime dependencies are not allowed: ${found.join(', ')}`);
	else pass('dependencies', 'no runtime dependencies');
}

function checkSize(info) {
	const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
	const message = `${kb(info.size)} packed (${kb(info.unpackedSize)} unpacked), budget ${kb(PACKED_BUDGET_BYTES)} packed`;
	if (info.size > PACKED_BUDGET_BYTES) fail('size', message);
	else pass('size', message);
}

// scanner.mjs buildScanConfig(), with the plugins installed here.
async function scanConfig() {
	const { defineConfig } = require('eslint/config');
	const { n8nCommunityNodesPlugin } = await import('@n8n/eslint-plugin-community-nodes');
	const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
	const { parser } = require('typescript-eslint');
	return defineConfig(
		n8nCommunityNodesPlugin.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
		{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
		{
			files: ['**/credentials/**/*.ts'],
			rules: {
				...n8nNodesBase.configs.credentials.rules,
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['**/nodes/**/*.ts'],
			rules: {
				...n8nNodesBase.configs.nodes.rules,
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		{ files: ['**/*.json'], languageOptions: { parser } },
		{ files: ['**/*.ts'], languageOptions: { parser } },
	);
}

async function scanLint(check, cwd, match) {
	const { ESLint } = require('eslint');
	const eslint = new ESLint({
		cwd,
		allowInlineConfig: false, // the scanner ignores eslint-disable comments
		overrideConfigFile: true, // and the project's own eslint.config.mjs
		overrideConfig: await scanConfig(),
	});
	const files = listFiles(cwd)
		.filter(match)
		.map((f) => path.join(cwd, f));
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const message = `${files.length} files, ${errors} errors, ${warnings} warnings (inline configuration ignored)`;
	// The scanner fails on errors only; warnings are shown so they get fixed too.
	if (errors) fail(check, message);
	else pass(check, message);
	const report = (await (await eslint.loadFormatter('stylish')).format(results)).trim();
	if (report) console.log(report.split(cwd + path.sep).join('').replace(/^/gm, '       '));
}

async function main() {
	if (!fs.existsSync(path.join(projectDir, 'dist'))) {
		console.log(`FAIL build: ${projectDir}/dist does not exist; run \`npm run build\` first`);
		process.exit(1);
	}
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-package-'));
	try {
		const { info, unpacked } = pack(workDir);
		console.log(`packed ${info.filename} from ${projectDir}`);
		const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
		const files = listFiles(unpacked);
		checkContents(files, pkg);
		checkN8nPaths(unpacked, pkg);
		checkDependencies(pkg);
		checkSize(info);
		// The two legs of scanner.mjs analyzePackageByName: the tarball, then the source.
		await scanLint(
			'scanner lint (tarball)',
			unpacked,
			(f) => f.endsWith('.js') || f === 'package.json',
		);
		await scanLint(
			'scanner lint (source)',
			projectDir,
			(f) => f === 'package.json' || /^(nodes|credentials)\/.*\.(js|ts|json)$/.test(f),
		);
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
	if (failures.length) {
		console.log(`\nverify: ${failures.length} check(s) failed: ${[...new Set(failures)].join(', ')}`);
		process.exit(1);
	}
	console.log('\nverify: the package passes');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
