/**
 * n8n's own HTTP Request node (n8n-nodes-base), for the comparison cases.
 *
 * n8n-nodes-base is not a devDependency: with its 400 dependencies (databases, AI SDKs, Kafka)
 * it would add about 500 MB and 50 s to every `npm install` for the sake of one node. Instead
 * the first `npm run bench` fetches it into `.cache/bench` (git-ignored), about 25 MB and 15 s:
 *
 * 1. `npm pack n8n-nodes-base@2.41.1` (the registry tarball, 12 MB), from which only the HTTP
 *    Request node and the helpers it requires are unpacked into `.cache/bench/n8n-nodes-base`;
 * 2. `npm install` in `.cache/bench` of the four packages those files require that this project
 *    does not already have, at the versions n8n-nodes-base pins.
 *
 * Everything else they require (n8n-workflow 2.41.0, lodash, @n8n/utils, form-data) resolves,
 * by Node's ordinary lookup up the folder tree, to this project's node_modules: the same
 * versions n8n-nodes-base 2.41.1 pins, and the very n8n-workflow instance n8n-core runs with.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { IVersionedNodeType } from 'n8n-workflow';

/** Matches our n8n-core 2.41.1 / n8n-workflow 2.41.0. */
export const NODES_BASE_VERSION = '2.41.1';

const CACHE = resolve(__dirname, '..', '.cache', 'bench');
const PACKAGE_DIR = join(CACHE, 'n8n-nodes-base');
/** What the unpacked files require beyond this project's own dependencies. */
const MISSING_DEPENDENCIES = ['jsdom', 'cheerio', 'html-to-text', '@mozilla/readability'];
/** The HTTP Request node (all versions) and n8n-nodes-base's shared helpers it requires. */
const UNPACK = ['package/package.json', 'package/LICENSE.md', 'package/dist/nodes/HttpRequest', 'package/dist/utils'];

function npm(args: string[]): string {
	// npm is npm.cmd on Windows; a shell there finds it.
	return execFileSync('npm', args, { cwd: CACHE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], shell: process.platform === 'win32' });
}

function installed(): boolean {
	const pkg = join(PACKAGE_DIR, 'package.json');
	if (!existsSync(pkg)) return false;
	if ((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version !== NODES_BASE_VERSION) return false;
	return MISSING_DEPENDENCIES.every((name) => existsSync(join(CACHE, 'node_modules', name, 'package.json')));
}

function install(log: (line: string) => void): void {
	log(`First run: fetching n8n's HTTP Request node (n8n-nodes-base@${NODES_BASE_VERSION}) into .cache/bench ...`);
	rmSync(CACHE, { recursive: true, force: true });
	mkdirSync(PACKAGE_DIR, { recursive: true });
	const tarball = npm(['pack', `n8n-nodes-base@${NODES_BASE_VERSION}`, '--silent']).trim().split('\n').pop()!.trim();
	execFileSync('tar', ['-xzf', tarball, '-C', PACKAGE_DIR, '--strip-components=1', ...UNPACK], { cwd: CACHE });
	rmSync(join(CACHE, tarball));
	const pinned = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
	const dependencies = Object.fromEntries(MISSING_DEPENDENCIES.map((name) => [name, pinned[name]]));
	writeFileSync(join(CACHE, 'package.json'), `${JSON.stringify({ name: 'bench-cache', private: true, dependencies }, null, 2)}\n`);
	// Install scripts off, as in the project's .npmrc (which does not apply in this folder).
	npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
	log('... done.');
}

/** Returns a new HTTP Request node type (the versioned one n8n registers as n8n-nodes-base.httpRequest). */
export function loadHttpRequestNode(log: (line: string) => void = console.log): IVersionedNodeType {
	if (!installed()) install(log);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { HttpRequest } = require(join(PACKAGE_DIR, 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js')) as {
		HttpRequest: new () => IVersionedNodeType;
	};
	return new HttpRequest();
}
