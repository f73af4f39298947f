'use strict';
/** The package the way users get it: `npm pack`, then npm install into an n8n user folder. */
const fs = require('fs');
const os = require('os');
const path = require('path');

const { ROOT, PACKAGE_NAME } = require('./config');
const { defaultLog, runLogged, captureOutput } = require('./run');
const { npmEnv, npmCmd } = require('./install');

/** `npm pack` this repository (dist/ must be built) into outDir; returns the .tgz path. */
async function packPackage({ outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-pack-')), log = defaultLog } = {}) {
	const out = await captureOutput(npmCmd(), ['pack', '--pack-destination', outDir, '--json', '--ignore-scripts'], {
		cwd: ROOT,
		env: npmEnv(),
	});
	const json = JSON.parse(out.slice(out.indexOf('[')));
	const tgz = path.join(outDir, json[0].filename);
	log(`  ✓ npm pack: ${path.basename(tgz)} (${json[0].files.length} files, ${Math.round(json[0].size / 1024)} kB)`);
	return tgz;
}

/** Makes a user folder for n8n (N8N_USER_FOLDER); n8n keeps its data in <home>/.n8n. */
function createN8nHome(prefix = 'green-api-n8n-') {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(home, '.n8n'), { recursive: true });
	return home;
}

/**
 * Installs the packed tarball into <home>/.n8n/nodes the way n8n's Community Nodes does
 * (npm install there, scripts off, no dev or peer dependencies).
 */
async function installPackage(home, tgz, { log = defaultLog } = {}) {
	const nodesDir = path.join(home, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgFile = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgFile)) fs.writeFileSync(pkgFile, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	await runLogged(
		npmCmd(),
		['install', tgz, '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-package-lock', '--install-strategy=shallow'],
		{ cwd: nodesDir, env: npmEnv(), logFile: path.join(home, 'package-install.log'), label: `npm install ${path.basename(tgz)} into .n8n/nodes`, log },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!fs.existsSync(installed)) throw new Error(`${PACKAGE_NAME} is not in ${nodesDir}/node_modules after npm install`);
	return path.dirname(installed);
}

module.exports = { packPackage, createN8nHome, installPackage };
